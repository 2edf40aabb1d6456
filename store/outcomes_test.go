package store

import (
	"errors"
	"math"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

func choiceLabel(c int32) *pb.Label { return &pb.Label{Choice: proto.Int32(c)} }

// saveVerdict stores a preference judgment of a profile with the given
// verdict choice, certainty (normalized) and status.
func saveVerdict(t *testing.T, s *Store, id, profile string, choice int32, certainty float64, status pb.JudgmentStatus) {
	t.Helper()
	req, resp := sample(id)
	resp.JudgeProfile = profile
	resp.Status = status
	resp.Verdict = &pb.Verdict{Choice: proto.Int32(choice)}
	resp.VerbalCertainty = certainty
	resp.Distribution = []float64{1 - float64(choice), float64(choice)}
	resp.PositionConsistency = 0.5
	if err := s.SaveJudgment(t.Context(), "preference", req, resp); err != nil {
		t.Fatal(err)
	}
}

func outcomeCount(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow(`SELECT count(*) FROM outcomes`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRecordOutcomes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		ctx := t.Context()
		for _, id := range []string{"j1", "j2", "j3"} {
			saveVerdict(t, s, id, "p", 1, 0.5, pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT)
		}
		out := func(id string, l *pb.Label) *pb.Outcome { return &pb.Outcome{JudgmentId: id, Label: l} }

		rec, unch, err := s.RecordOutcomes(ctx, []*pb.Outcome{out("j1", choiceLabel(1)), out("j2", &pb.Label{Tie: true})}, false)
		if err != nil || rec != 2 || unch != 0 {
			t.Fatalf("first record: %d recorded, %d unchanged, err %v", rec, unch, err)
		}
		// The same labels again: a no-op, so a retried batch is harmless.
		rec, unch, err = s.RecordOutcomes(ctx, []*pb.Outcome{out("j1", choiceLabel(1)), out("j2", &pb.Label{Tie: true})}, false)
		if err != nil || rec != 0 || unch != 2 {
			t.Fatalf("repeat: %d recorded, %d unchanged, err %v", rec, unch, err)
		}

		// Failures leave the whole batch unwritten: j3 comes first and is fine.
		failures := []struct {
			name      string
			batch     []*pb.Outcome
			wantIndex int
			wantErr   error
		}{
			{"unknown judgment", []*pb.Outcome{out("j3", choiceLabel(0)), out("nope", choiceLabel(0))}, 1, ErrNotFound},
			{"different label", []*pb.Outcome{out("j3", choiceLabel(0)), out("j1", choiceLabel(0))}, 1, ErrLabelConflict},
			{"tie replaced by choice", []*pb.Outcome{out("j3", choiceLabel(0)), out("j2", choiceLabel(1))}, 1, ErrLabelConflict},
		}
		for _, f := range failures {
			_, _, err := s.RecordOutcomes(ctx, f.batch, false)
			var oe *OutcomeError
			if !errors.As(err, &oe) || !errors.Is(err, f.wantErr) || oe.Index != f.wantIndex {
				t.Fatalf("%s: err = %v, want OutcomeError at %d wrapping %v", f.name, err, f.wantIndex, f.wantErr)
			}
			if _, err := s.Outcome(ctx, "j3"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("%s: j3 was written by a failed batch (err %v)", f.name, err)
			}
		}
		if n := outcomeCount(t, s); n != 2 {
			t.Fatalf("%d outcomes stored, want 2", n)
		}

		// Overwrite replaces the label.
		rec, unch, err = s.RecordOutcomes(ctx, []*pb.Outcome{out("j1", choiceLabel(0))}, true)
		if err != nil || rec != 1 || unch != 0 {
			t.Fatalf("overwrite: %d recorded, %d unchanged, err %v", rec, unch, err)
		}
		if l, err := s.Outcome(ctx, "j1"); err != nil || l.GetChoice() != 0 || l.Choice == nil {
			t.Fatalf("after overwrite: label %v, err %v", l, err)
		}
	})
}

func TestLabelledJudgmentsAndImportedOutcomes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		ctx := t.Context()
		verdict := pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT
		saveVerdict(t, s, "right", "p", 1, 0.8, verdict)
		saveVerdict(t, s, "wrong", "p", 0, 0.2, verdict)
		saveVerdict(t, s, "unlabelled", "p", 0, 0.2, verdict)
		saveVerdict(t, s, "abstained", "p", 0, 0.2, pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN)
		saveVerdict(t, s, "other", "q", 1, 0.9, verdict)
		labels := []*pb.Outcome{
			{JudgmentId: "right", Label: choiceLabel(1)},
			{JudgmentId: "wrong", Label: choiceLabel(1)},
			{JudgmentId: "abstained", Label: choiceLabel(0)},
			{JudgmentId: "other", Label: choiceLabel(1)},
		}
		if _, _, err := s.RecordOutcomes(ctx, labels, false); err != nil {
			t.Fatal(err)
		}
		got, err := s.LabelledJudgments(ctx, "p")
		if err != nil {
			t.Fatal(err)
		}
		// Every labelled judgment of the profile, oldest first (then by id; all
		// share one created_at here), whatever its status: which count is not
		// the store's to decide.
		wantIDs := []string{"abstained", "right", "wrong"}
		wantChoice := []int32{0, 1, 1}
		if len(got) != len(wantIDs) {
			t.Fatalf("got %d labelled judgments, want %d", len(got), len(wantIDs))
		}
		for i, g := range got {
			if g.Response.JudgmentId != wantIDs[i] || g.Request.ItemId != "item-"+wantIDs[i] || g.Label.GetChoice() != wantChoice[i] {
				t.Errorf("labelled %d = %s (item %s) label %v, want %s label %d", i, g.Response.JudgmentId, g.Request.ItemId, g.Label, wantIDs[i], wantChoice[i])
			}
		}

		n, err := s.ImportOutcomes(ctx, []*pb.RawOutcome{
			{Profile: "p", Certainty: 100, Correct: true, Options: 2},
			{Profile: "p", Certainty: 1, Correct: false, Options: 4, PositionConsistency: proto.Float64(1), LogprobConfidence: proto.Float64(0.3)},
			{Profile: "q", Certainty: 50, Correct: true, Options: 2},
		})
		if err != nil || n != 3 {
			t.Fatalf("import: %d, %v", n, err)
		}
		imp, err := s.ImportedOutcomes(ctx, "p")
		if err != nil {
			t.Fatal(err)
		}
		if len(imp) != 2 || imp[0].Certainty != 100 || !imp[0].Correct || imp[0].Options != 2 || imp[0].Consistency != nil || imp[0].Logprob != nil ||
			imp[1].Certainty != 1 || imp[1].Correct || imp[1].Options != 4 || imp[1].Consistency == nil || *imp[1].Consistency != 1 || *imp[1].Logprob != 0.3 {
			t.Fatalf("imported outcomes of p = %+v", imp)
		}
		if none, err := s.LabelledJudgments(ctx, "nobody"); err != nil || len(none) != 0 {
			t.Fatalf("unknown profile: %v, %v", none, err)
		}
	})
}

// An import batch with a row the schema refuses (a NaN certainty binds as
// NULL) writes nothing, not even the good rows before it.
func TestImportOutcomesIsAllOrNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		ctx := t.Context()
		_, err := s.ImportOutcomes(ctx, []*pb.RawOutcome{{Profile: "p", Certainty: 90, Correct: true}, {Profile: "p", Certainty: math.NaN()}})
		if err == nil {
			t.Fatal("a NaN certainty was imported")
		}
		if got, _ := s.ImportedOutcomes(ctx, "p"); len(got) != 0 {
			t.Fatalf("a failed batch left %d records", len(got))
		}
	})
}
