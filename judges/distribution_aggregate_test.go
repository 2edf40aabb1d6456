package judges

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

func distVotes(dists ...[]float64) []*pb.Vote {
	votes := make([]*pb.Vote, len(dists))
	for i, d := range dists {
		votes[i] = &pb.Vote{Model: "m", MappedAnswer: &pb.Answer{Distribution: d}}
	}
	return votes
}

func TestAggregateDistributions(t *testing.T) {
	t.Parallel()
	const (
		verdict = pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT
		abstain = pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN
		failed  = pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR
	)
	tests := []struct {
		name        string
		k           int
		votes       []*pb.Vote
		status      pb.JudgmentStatus
		choice      int32
		mean        []float64
		consistency float64
		reason      string
	}{
		{
			name:   "every order agrees",
			k:      3,
			votes:  distVotes([]float64{0.1, 0.8, 0.1}, []float64{0.2, 0.6, 0.2}, []float64{0, 1, 0}),
			status: verdict, choice: 1, mean: []float64{0.1, 0.8, 0.1}, consistency: 1,
		},
		{
			// A first-slot bias under the cyclic policy: each candidate gets
			// the large mass once, so the mean is flat.
			name:   "first-slot bias cancels",
			k:      3,
			votes:  distVotes([]float64{0.9, 0.05, 0.05}, []float64{0.05, 0.9, 0.05}, []float64{0.05, 0.05, 0.9}),
			status: abstain, mean: []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}, consistency: 1.0 / 3,
			reason: `candidates[0] "c0", candidates[1] "c1", candidates[2] "c2" tie`,
		},
		{
			name:   "three of four agree",
			k:      4,
			votes:  distVotes([]float64{0.7, 0.1, 0.1, 0.1}, []float64{0.6, 0.2, 0.1, 0.1}, []float64{0.1, 0.5, 0.2, 0.2}, []float64{0.6, 0, 0.4, 0}),
			status: verdict, choice: 0, mean: []float64{0.5, 0.2, 0.2, 0.1}, consistency: 0.75,
		},
		{
			name:   "a vote with a tied top agrees with nothing",
			k:      2,
			votes:  distVotes([]float64{0.5, 0.5}, []float64{0.8, 0.2}),
			status: verdict, choice: 0, mean: []float64{0.65, 0.35}, consistency: 0.5,
		},
		{
			name:   "tie within 1e-9 abstains",
			k:      2,
			votes:  distVotes([]float64{0.5 + 1e-12, 0.5 - 1e-12}),
			status: abstain, mean: []float64{0.5, 0.5}, consistency: 0, reason: "tie",
		},
		{
			name:   "a difference above 1e-9 decides",
			k:      2,
			votes:  distVotes([]float64{0.5 - 1e-6, 0.5 + 1e-6}),
			status: verdict, choice: 1, mean: []float64{0.5 - 1e-6, 0.5 + 1e-6}, consistency: 1,
		},
		{
			name:   "wrong-length distributions are skipped",
			k:      2,
			votes:  distVotes([]float64{0.2, 0.3, 0.5}, []float64{0.3, 0.7}),
			status: verdict, choice: 1, mean: []float64{0.3, 0.7}, consistency: 1,
		},
		{
			name:   "no distribution at all",
			k:      2,
			votes:  distVotes(nil),
			status: failed, reason: "no vote carried a distribution",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			name := func(i int) string { return fmt.Sprintf("candidates[%d] %q", i, fmt.Sprint("c", i)) }
			out := aggregateDistributions(tt.votes, tt.k, name)
			if out.Status != tt.status {
				t.Fatalf("status = %v (%s), want %v", out.Status, out.Reason, tt.status)
			}
			if tt.status == verdict && (out.Verdict == nil || out.Verdict.GetChoice() != tt.choice || out.Verdict.Choice == nil) {
				t.Fatalf("verdict = %v, want choice %d", out.Verdict, tt.choice)
			}
			if tt.status != verdict && out.Verdict != nil {
				t.Fatalf("verdict %v without VERDICT status", out.Verdict)
			}
			for i := range tt.mean {
				if math.Abs(out.Distribution[i]-tt.mean[i]) > 1e-12 {
					t.Fatalf("distribution = %v, want %v", out.Distribution, tt.mean)
				}
			}
			if math.Abs(out.Consistency-tt.consistency) > 1e-12 {
				t.Fatalf("consistency = %v, want %v", out.Consistency, tt.consistency)
			}
			if !strings.Contains(out.Reason, tt.reason) {
				t.Fatalf("reason %q does not contain %q", out.Reason, tt.reason)
			}
		})
	}
}

func TestTopSet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    []float64
		want []int
	}{
		{[]float64{0.2, 0.8}, []int{1}},
		{[]float64{0.4, 0.2, 0.4}, []int{0, 2}},
		{[]float64{0.25, 0.25, 0.25, 0.25}, []int{0, 1, 2, 3}},
		{nil, nil},
	}
	for _, tt := range tests {
		if got := topSet(tt.d); !slices.Equal(got, tt.want) {
			t.Errorf("topSet(%v) = %v, want %v", tt.d, got, tt.want)
		}
	}
}
