package store

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/personajudge/personajudge/calibration"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

func choiceLabel(c int32) *pb.Label { return &pb.Label{Choice: proto.Int32(c)} }

func TestVerdictCorrect(t *testing.T) {
	choice := func(c int32) *pb.Verdict { return &pb.Verdict{Choice: proto.Int32(c)} }
	score := func(s float64) *pb.Verdict { return &pb.Verdict{Score: proto.Float64(s)} }
	tests := []struct {
		name string
		v    *pb.Verdict
		l    *pb.Label
		want bool
	}{
		{"same choice", choice(1), choiceLabel(1), true},
		{"other choice", choice(0), choiceLabel(1), false},
		{"choice 0 matches choice 0", choice(0), choiceLabel(0), true},
		{"tie verdict, choice label", &pb.Verdict{Tie: true}, choiceLabel(0), false},
		{"both tie", &pb.Verdict{Tie: true}, &pb.Label{Tie: true}, true},
		{"choice verdict, tie label", choice(0), &pb.Label{Tie: true}, false},
		{"score rounds to label", score(3.4), &pb.Label{Score: proto.Float64(3)}, true},
		{"score rounds away", score(3.5), &pb.Label{Score: proto.Float64(3)}, false},
		{"score vs averaged label", score(4), &pb.Label{Score: proto.Float64(3.5)}, true},
		{"no verdict", nil, choiceLabel(0), false},
		{"empty label", choice(0), &pb.Label{}, false},
		{"score label, choice verdict", choice(3), &pb.Label{Score: proto.Float64(3)}, false},
	}
	for _, tt := range tests {
		if got := VerdictCorrect(tt.v, tt.l); got != tt.want {
			t.Errorf("%s: VerdictCorrect = %v, want %v", tt.name, got, tt.want)
		}
	}
}

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
	if err := s.SaveJudgment(context.Background(), "preference", req, resp); err != nil {
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
	s, _ := openTemp(t)
	ctx := context.Background()
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
}

func TestLabelledSamples(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	verdict := pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT
	saveVerdict(t, s, "right", "p", 1, 0.8, verdict)
	saveVerdict(t, s, "wrong", "p", 0, 0.2, verdict)
	saveVerdict(t, s, "unlabelled", "p", 0, 0.2, verdict)
	saveVerdict(t, s, "abstained", "p", 0, 0.2, pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN)
	saveVerdict(t, s, "other", "q", 1, 0.9, verdict)
	labels := []*pb.Outcome{
		{JudgmentId: "right", Label: choiceLabel(1)},
		{JudgmentId: "wrong", Label: choiceLabel(1)},
		{JudgmentId: "abstained", Label: choiceLabel(1)},
		{JudgmentId: "other", Label: choiceLabel(1)},
	}
	if _, _, err := s.RecordOutcomes(ctx, labels, false); err != nil {
		t.Fatal(err)
	}
	n, err := s.ImportOutcomes(ctx, []*pb.RawOutcome{
		{Profile: "p", Certainty: 100, Correct: true},
		{Profile: "p", Certainty: 1, Correct: false, Options: 4, PositionConsistency: proto.Float64(1), LogprobConfidence: proto.Float64(0.3)},
		{Profile: "q", Certainty: 50, Correct: true},
	})
	if err != nil || n != 3 {
		t.Fatalf("import: %d, %v", n, err)
	}
	got, err := s.LabelledSamples(ctx, "p")
	if err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	want := []LabelledSample{
		{Sample: calibration.Sample{Confidence: 0.9, Consistency: 0.5, Logprob: nan, Correct: true}, Certainty: 80.2, Options: 2, JudgmentID: "right"},
		{Sample: calibration.Sample{Confidence: 0.6, Consistency: 0.5, Logprob: nan, Correct: false}, Certainty: 20.8, Options: 2, JudgmentID: "wrong"},
		{Sample: calibration.Sample{Confidence: 1, Consistency: nan, Logprob: nan, Correct: true}, Certainty: 100, Options: 2},
		{Sample: calibration.Sample{Confidence: 0.25, Consistency: 1, Logprob: 0.3, Correct: false}, Certainty: 1, Options: 4},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d samples, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if !near(g.Confidence, w.Confidence) || !near(g.Consistency, w.Consistency) || !near(g.Logprob, w.Logprob) ||
			g.Correct != w.Correct || !near(g.Certainty, w.Certainty) || g.Options != w.Options || g.JudgmentID != w.JudgmentID {
			t.Errorf("sample %d = %+v, want %+v", i, g, w)
		}
	}
	if none, err := s.LabelledSamples(ctx, "nobody"); err != nil || len(none) != 0 {
		t.Fatalf("unknown profile: %v, %v", none, err)
	}
}

// near compares floats, NaN equal to NaN.
func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) < 1e-9
}

// An import batch with a row the schema refuses (a NaN certainty binds as
// NULL) writes nothing, not even the good rows before it.
func TestImportOutcomesIsAllOrNothing(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	_, err := s.ImportOutcomes(ctx, []*pb.RawOutcome{{Profile: "p", Certainty: 90, Correct: true}, {Profile: "p", Certainty: math.NaN()}})
	if err == nil {
		t.Fatal("a NaN certainty was imported")
	}
	if got, _ := s.LabelledSamples(ctx, "p"); len(got) != 0 {
		t.Fatalf("a failed batch left %d records", len(got))
	}
}

// A judgment re-made from the response cache (same request, same answers,
// another item_id) is one piece of evidence, not two.
func TestLabelledSamplesCountCachedCopiesOnce(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	verdict := pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT
	saveVerdict(t, s, "first", "p", 1, 0.8, verdict)
	saveVerdict(t, s, "cached-copy", "p", 1, 0.8, verdict) // same content, another item_id
	saveVerdict(t, s, "different", "p", 0, 0.8, verdict)
	var labels []*pb.Outcome
	for _, id := range []string{"first", "cached-copy", "different"} {
		labels = append(labels, &pb.Outcome{JudgmentId: id, Label: choiceLabel(1)})
	}
	if _, _, err := s.RecordOutcomes(ctx, labels, false); err != nil {
		t.Fatal(err)
	}
	got, err := s.LabelledSamples(ctx, "p")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, g := range got {
		ids[g.JudgmentID] = true
	}
	if len(got) != 2 || !ids["different"] || ids["first"] == ids["cached-copy"] {
		t.Fatalf("samples %+v, want one of the two copies and the different one", got)
	}
}
