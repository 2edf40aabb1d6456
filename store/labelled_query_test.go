package store

import (
	"testing"
	"time"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Only labelled judgments come back, filtered by profile, kind and time.
func TestFilterLabelledJudgments(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		ctx := t.Context()
		save := func(id, kind, profile string, at int64, labelled bool) {
			req, resp := sample(id)
			resp.JudgeProfile = profile
			resp.CreatedAt = timestamppb.New(time.UnixMilli(at))
			if err := s.SaveJudgment(ctx, kind, req, resp); err != nil {
				t.Fatal(err)
			}
			if labelled {
				if _, _, err := s.RecordOutcomes(ctx, []*pb.Outcome{{JudgmentId: id, Label: choiceLabel(1)}}, false); err != nil {
					t.Fatal(err)
				}
			}
		}
		save("a", "preference", "p1", 1000, true)
		save("b", "preference", "p1", 2000, true)
		save("c", "preference", "p2", 3000, true)
		save("d", "adherence", "p3", 4000, true)
		save("e", "preference", "p1", 5000, false)

		for _, tt := range []struct {
			name string
			f    LabelledFilter
			want []string
		}{
			{"everything labelled", LabelledFilter{}, []string{"d", "a", "b", "c"}},
			{"profile", LabelledFilter{Profile: "p1"}, []string{"a", "b"}},
			{"kind", LabelledFilter{Kind: "adherence"}, []string{"d"}},
			{"time range", LabelledFilter{After: 2000, Before: 4000}, []string{"b", "c"}},
		} {
			got, err := s.FilterLabelledJudgments(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, j := range got {
				ids = append(ids, j.Response.JudgmentId)
				if j.Label.GetChoice() != 1 {
					t.Errorf("%s: %s label %v", tt.name, j.Response.JudgmentId, j.Label)
				}
			}
			if len(ids) != len(tt.want) || (len(ids) > 0 && ids[0] != tt.want[0]) || (len(ids) > 1 && ids[len(ids)-1] != tt.want[len(tt.want)-1]) {
				t.Errorf("%s: got %v, want %v", tt.name, ids, tt.want)
			}
		}
	})
}
