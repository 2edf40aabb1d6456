package store

import (
	"testing"
	"time"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// listed is one judgment of the listing fixtures.
type listed struct {
	id, profile string
	status      pb.JudgmentStatus
	reason      pb.ReasonCode
	consistency float64
	prob        *float64
	tags        map[string]string
	at          int64 // seconds after the fixture epoch
}

func saveListed(t *testing.T, s *Store, rows []listed) {
	t.Helper()
	for _, r := range rows {
		req, resp := sample(r.id)
		resp.JudgeProfile, resp.Status, resp.ReasonCode = r.profile, r.status, r.reason
		resp.PositionConsistency, resp.CalibratedProbability, resp.Tags = r.consistency, r.prob, r.tags
		resp.CreatedAt = timestamppb.New(time.Unix(1700000000+r.at, 0))
		if err := s.SaveJudgment(t.Context(), "preference", req, resp); err != nil {
			t.Fatal(err)
		}
	}
}

func ids(rows []ListedJudgment) []string {
	out := []string{}
	for _, r := range rows {
		out = append(out, r.Response.JudgmentId)
	}
	return out
}

func equalIDs(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

const (
	verdict = pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT
	abstain = pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN
	jerror  = pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR
)

func listFixture(t *testing.T, dsn string) *Store {
	s := openStore(t, dsn)
	saveListed(t, s, []listed{
		{id: "a", profile: "p1", status: verdict, consistency: 1, prob: proto.Float64(0.95), tags: map[string]string{"track": "x"}, at: 1},
		{id: "b", profile: "p1", status: abstain, reason: pb.ReasonCode_REASON_CODE_ORDERS_DISAGREE, consistency: 0.5, tags: map[string]string{"track": "y"}, at: 2},
		{id: "c", profile: "p2", status: verdict, consistency: 1, prob: proto.Float64(0.55), tags: map[string]string{"track": "x", "tier": "1"}, at: 3},
		{id: "d", profile: "p2", status: jerror, reason: pb.ReasonCode_REASON_CODE_TIMEOUT, at: 4},
		{id: "e", profile: "p1", status: verdict, consistency: 1, at: 5},
		{id: "f", profile: "p1", status: verdict, consistency: 1, prob: proto.Float64(0.9), at: 5},
	})
	return s
}

func TestListJudgmentsFilters(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := listFixture(t, dsn)
		base := time.Unix(1700000000, 0)
		for _, tc := range []struct {
			name string
			f    JudgmentFilter
			want []string
		}{
			{"all newest first, same time by id", JudgmentFilter{}, []string{"f", "e", "d", "c", "b", "a"}},
			{"profile", JudgmentFilter{Profile: "p2"}, []string{"d", "c"}},
			{"status", JudgmentFilter{Status: abstain}, []string{"b"}},
			{"reason", JudgmentFilter{ReasonCode: pb.ReasonCode_REASON_CODE_TIMEOUT}, []string{"d"}},
			{"one tag", JudgmentFilter{Tags: map[string]string{"track": "x"}}, []string{"c", "a"}},
			{"two tags", JudgmentFilter{Tags: map[string]string{"track": "x", "tier": "1"}}, []string{"c"}},
			{"tag value differs", JudgmentFilter{Tags: map[string]string{"track": "z"}}, []string{}},
			{"time range", JudgmentFilter{After: base.Add(2 * time.Second), Before: base.Add(5 * time.Second)}, []string{"d", "c", "b"}},
			{"kind", JudgmentFilter{Kind: "role"}, []string{}},
			{"limit", JudgmentFilter{Limit: 2}, []string{"f", "e"}},
			{"after a cursor", JudgmentFilter{Limit: 2, Start: &Cursor{CreatedAt: base.Add(5 * time.Second).UnixMilli(), ID: "e"}}, []string{"d", "c"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if tc.f.Limit == 0 {
					tc.f.Limit = 100
				}
				got, err := s.ListJudgments(t.Context(), tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if !equalIDs(ids(got), tc.want) {
					t.Fatalf("got %v, want %v", ids(got), tc.want)
				}
			})
		}
	})
}

func TestListReviewQueue(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := listFixture(t, dsn)
		if _, _, err := s.RecordOutcomes(t.Context(), []*pb.Outcome{{JudgmentId: "b", Label: &pb.Label{Choice: proto.Int32(0)}}}, false); err != nil {
			t.Fatal(err)
		}
		f := ReviewFilter{
			Statuses:          []pb.JudgmentStatus{verdict, abstain},
			UncertainStatuses: []pb.JudgmentStatus{abstain},
			ConsistencyBelow:  1, ProbabilityBelow: 0.7, Limit: 100,
		}
		got, err := s.ListReviewQueue(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		// b is labelled: left out; d is a judge error; e has no probability.
		if !equalIDs(ids(got), []string{"c"}) {
			t.Fatalf("unlabelled queue: got %v, want [c]", ids(got))
		}
		f.IncludeLabelled = true
		got, err = s.ListReviewQueue(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		if !equalIDs(ids(got), []string{"c", "b"}) || got[1].Label == nil || got[0].Label != nil {
			t.Fatalf("queue with labelled: got %v, want [c b] with b's label", ids(got))
		}
		f.Limit, f.Start = 100, &got[0].Cursor
		rest, err := s.ListReviewQueue(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		if !equalIDs(ids(rest), []string{"b"}) {
			t.Fatalf("after the unlabelled page: got %v, want [b]", ids(rest))
		}
	})
}

func TestProfilesAndEvalRuns(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := listFixture(t, dsn)
		ctx := t.Context()
		if err := s.SaveCalibrator(ctx, &Calibrator{Profile: "p2", Method: "isotonic", Model: fitted(), N: 3}, true); err != nil {
			t.Fatal(err)
		}
		ps, err := s.Profiles(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 2 || ps[0].Profile != "p1" || ps[0].Judgments != 4 || ps[1].ActiveCalibrator != "v1" || ps[1].Calibrators != 1 {
			t.Fatalf("profiles = %+v", ps)
		}
		for i, id := range []string{"r1", "r2", "r3"} {
			if err := s.SaveEvalRun(ctx, EvalRun{ID: id, Name: "run " + id, Summary: `{"n":1}`, CreatedAt: time.UnixMilli(int64(1000 + i))}); err != nil {
				t.Fatal(err)
			}
		}
		runs, err := s.ListEvalRuns(ctx, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 2 || runs[0].ID != "r3" || runs[0].Summary != "" {
			t.Fatalf("first page = %+v", runs)
		}
		runs, err = s.ListEvalRuns(ctx, 2, &Cursor{CreatedAt: runs[1].CreatedAt.UnixMilli(), ID: runs[1].ID})
		if err != nil || len(runs) != 1 || runs[0].ID != "r1" {
			t.Fatalf("second page = %+v, %v", runs, err)
		}
		r, err := s.GetEvalRun(ctx, "r2")
		if err != nil || r.Summary != `{"n":1}` || r.Name != "run r2" {
			t.Fatalf("GetEvalRun = %+v, %v", r, err)
		}
		if _, err := s.GetEvalRun(ctx, "nope"); err != ErrNotFound {
			t.Fatalf("unknown run: %v", err)
		}
	})
}

func TestBackfillFacetsIndexesOlderJudgments(t *testing.T) {
	forEachBackend(t, func(t *testing.T, path string) {
		s := openStore(t, path)
		ctx := t.Context()
		saveListed(t, s, []listed{{id: "old", profile: "p", status: abstain, reason: pb.ReasonCode_REASON_CODE_TIED_TOP, tags: map[string]string{"k": "v"}}})
		// As a ledger written before the facets existed would be.
		if _, err := s.DB().ExecContext(ctx, `DELETE FROM judgment_tags`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().ExecContext(ctx, `DELETE FROM judgment_facets`); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s2, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		got, err := s2.ListJudgments(ctx, JudgmentFilter{ReasonCode: pb.ReasonCode_REASON_CODE_TIED_TOP, Tags: map[string]string{"k": "v"}, Limit: 10})
		if err != nil || !equalIDs(ids(got), []string{"old"}) {
			t.Fatalf("after reopening: %v, %v", ids(got), err)
		}
	})
}
