package judges

import (
	"math"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// caVote builds a vote by model m in order o with canonical answer a (wantTie for a tie).
func caVote(m string, o []int32, a int) *pb.Vote {
	ans := &pb.Answer{}
	if a == wantTie {
		ans.Tie = true
	} else {
		ans.Choice = ptr(int32(a))
	}
	return &pb.Vote{Model: m, ShownOrder: o, MappedAnswer: ans}
}

var (
	caAB        = []int32{0, 1}
	caBA        = []int32{1, 0}
	caC0        = []int32{0, 1, 2}
	caC1        = []int32{1, 2, 0}
	caC2        = []int32{2, 0, 1}
	caNoVerdict = -2 // wantChoice when no verdict is expected
)

func TestAggregateChoices(t *testing.T) {
	t.Parallel()
	const (
		verdictS = pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT
		abstainS = pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN
	)
	tests := []struct {
		name        string
		votes       []*pb.Vote
		k           int
		allowTie    bool
		status      pb.JudgmentStatus
		wantChoice  int // canonical choice, wantTie, or caNoVerdict
		dist        []float64
		consistency float64
		reason      bool // a reason is given
	}{
		{
			name:   "unanimous for B",
			votes:  []*pb.Vote{caVote("m", caAB, 1), caVote("m", caBA, 1)},
			k:      2,
			status: verdictS, wantChoice: 1, dist: []float64{0, 1}, consistency: 1,
		},
		{
			name:  "unanimous for A with ties allowed",
			votes: []*pb.Vote{caVote("m", caAB, 0), caVote("m", caBA, 0)},
			k:     2, allowTie: true,
			status: verdictS, wantChoice: 0, dist: []float64{1, 0}, consistency: 1,
		},
		{
			name:   "orders disagree: abstain",
			votes:  []*pb.Vote{caVote("m", caAB, 0), caVote("m", caBA, 1)},
			k:      2,
			status: abstainS, wantChoice: caNoVerdict, dist: []float64{0.5, 0.5}, consistency: 0.5, reason: true,
		},
		{
			name:  "orders disagree with ties allowed: tie verdict",
			votes: []*pb.Vote{caVote("m", caAB, 0), caVote("m", caBA, 1)},
			k:     2, allowTie: true,
			status: verdictS, wantChoice: wantTie, dist: []float64{0.5, 0.5}, consistency: 0.5, reason: true,
		},
		{
			name:   "one order says tie, the other B: abstain",
			votes:  []*pb.Vote{caVote("m", caAB, wantTie), caVote("m", caBA, 1)},
			k:      2,
			status: abstainS, wantChoice: caNoVerdict, dist: []float64{0.25, 0.75}, consistency: 0.5, reason: true,
		},
		{
			name:   "all tie votes",
			votes:  []*pb.Vote{caVote("m", caAB, wantTie), caVote("m", caBA, wantTie)},
			k:      2,
			status: verdictS, wantChoice: wantTie, dist: []float64{0.5, 0.5}, consistency: 1,
		},
		{
			name: "three samples per order, a majority in each",
			votes: []*pb.Vote{
				caVote("m", caAB, 0), caVote("m", caAB, 0), caVote("m", caAB, 1),
				caVote("m", caBA, 0), caVote("m", caBA, 1), caVote("m", caBA, 0),
			},
			k:      2,
			status: verdictS, wantChoice: 0, dist: []float64{4.0 / 6, 2.0 / 6}, consistency: 4.0 / 6,
		},
		{
			name: "three samples in one order without a majority",
			votes: []*pb.Vote{
				caVote("m", caAB, 0), caVote("m", caAB, 1), caVote("m", caAB, wantTie),
				caVote("m", caBA, 0), caVote("m", caBA, 0), caVote("m", caBA, 0),
			},
			k:      2,
			status: abstainS, wantChoice: caNoVerdict, dist: []float64{4.5 / 6, 1.5 / 6}, consistency: 4.0 / 6, reason: true,
		},
		{
			name: "three samples in one order without a majority, ties allowed",
			votes: []*pb.Vote{
				caVote("m", caAB, 0), caVote("m", caAB, 1), caVote("m", caAB, wantTie),
				caVote("m", caBA, 0), caVote("m", caBA, 0), caVote("m", caBA, 0),
			},
			k: 2, allowTie: true,
			status: verdictS, wantChoice: wantTie, dist: []float64{4.5 / 6, 1.5 / 6}, consistency: 4.0 / 6, reason: true,
		},
		{
			name: "two samples split 1-1 is no majority",
			votes: []*pb.Vote{
				caVote("m", caAB, 1), caVote("m", caAB, 0),
				caVote("m", caBA, 1), caVote("m", caBA, 1),
			},
			k:      2,
			status: abstainS, wantChoice: caNoVerdict, dist: []float64{0.25, 0.75}, consistency: 0.75, reason: true,
		},
		{
			name: "two models agree",
			votes: []*pb.Vote{
				caVote("m1", caAB, 1), caVote("m1", caBA, 1),
				caVote("m2", caAB, 1), caVote("m2", caBA, 1),
			},
			k:      2,
			status: verdictS, wantChoice: 1, dist: []float64{0, 1}, consistency: 1,
		},
		{
			name: "two models each consistent but disagreeing",
			votes: []*pb.Vote{
				caVote("m1", caAB, 0), caVote("m1", caBA, 0),
				caVote("m2", caAB, 1), caVote("m2", caBA, 1),
			},
			k:      2,
			status: abstainS, wantChoice: caNoVerdict, dist: []float64{0.5, 0.5}, consistency: 0.5, reason: true,
		},
		{
			name:   "single order, single vote",
			votes:  []*pb.Vote{caVote("m", caAB, 1)},
			k:      2,
			status: verdictS, wantChoice: 1, dist: []float64{0, 1}, consistency: 1,
		},
		{
			name:   "three options, cyclic orders agree",
			votes:  []*pb.Vote{caVote("m", caC0, 2), caVote("m", caC1, 2), caVote("m", caC2, 2)},
			k:      3,
			status: verdictS, wantChoice: 2, dist: []float64{0, 0, 1}, consistency: 1,
		},
		{
			name:   "three options, two of three orders agree",
			votes:  []*pb.Vote{caVote("m", caC0, 2), caVote("m", caC1, 2), caVote("m", caC2, wantTie)},
			k:      3,
			status: abstainS, wantChoice: caNoVerdict, dist: []float64{1.0 / 9, 1.0 / 9, 7.0 / 9}, consistency: 2.0 / 3, reason: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := aggregateChoices(tt.votes, tt.k, tt.allowTie)
			if out.Status != tt.status {
				t.Errorf("status = %v, want %v", out.Status, tt.status)
			}
			switch tt.wantChoice {
			case caNoVerdict:
				if out.Verdict != nil {
					t.Errorf("verdict = %v, want none", out.Verdict)
				}
			case wantTie:
				if out.Verdict == nil || !out.Verdict.Tie || out.Verdict.Choice != nil {
					t.Errorf("verdict = %v, want a tie", out.Verdict)
				}
			default:
				if out.Verdict == nil || out.Verdict.Tie || out.Verdict.Choice == nil || int(*out.Verdict.Choice) != tt.wantChoice {
					t.Errorf("verdict = %v, want choice %d", out.Verdict, tt.wantChoice)
				}
			}
			if len(out.Distribution) != len(tt.dist) {
				t.Fatalf("distribution = %v, want %v", out.Distribution, tt.dist)
			}
			var total float64
			for i := range tt.dist {
				total += out.Distribution[i]
				if math.Abs(out.Distribution[i]-tt.dist[i]) > 1e-9 {
					t.Errorf("distribution = %v, want %v", out.Distribution, tt.dist)
					break
				}
			}
			if math.Abs(total-1) > 1e-9 {
				t.Errorf("distribution sums to %v", total)
			}
			if math.Abs(out.Consistency-tt.consistency) > 1e-9 {
				t.Errorf("consistency = %v, want %v", out.Consistency, tt.consistency)
			}
			if (out.Reason != "") != tt.reason {
				t.Errorf("reason = %q, want one: %v", out.Reason, tt.reason)
			}
		})
	}
}

// The verdict does not depend on the order votes arrive in.
func TestAggregateChoicesVoteOrderInvariant(t *testing.T) {
	t.Parallel()
	votes := []*pb.Vote{
		caVote("m1", caAB, 0), caVote("m1", caAB, 0), caVote("m1", caAB, 1),
		caVote("m1", caBA, 0), caVote("m1", caBA, wantTie), caVote("m1", caBA, 0),
		caVote("m2", caAB, 0), caVote("m2", caBA, 0),
	}
	want := aggregateChoices(votes, 2, false)
	for shift := 1; shift < len(votes); shift++ {
		rot := append(append([]*pb.Vote{}, votes[shift:]...), votes[:shift]...)
		got := aggregateChoices(rot, 2, false)
		if got.Status != want.Status || got.Verdict.GetChoice() != want.Verdict.GetChoice() || got.Consistency != want.Consistency {
			t.Fatalf("rotation %d: %v %v %v, want %v %v %v", shift, got.Status, got.Verdict, got.Consistency, want.Status, want.Verdict, want.Consistency)
		}
	}
	if want.Status != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT || want.Verdict.GetChoice() != 0 {
		t.Fatalf("want a verdict for 0, got %v %v", want.Status, want.Verdict)
	}
}

func TestMode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		counts map[int]int
		key, n int
	}{
		{map[int]int{0: 2, 1: 1}, 0, 2},
		{map[int]int{0: 1, 1: 3}, 1, 3},
		{map[int]int{0: 2, 1: 2}, 0, 2},
		{map[int]int{tieKey: 2, 1: 2}, tieKey, 2}, // lowest key on ties
		{map[int]int{2: 1}, 2, 1},
	}
	for _, tt := range tests {
		for range 20 { // map iteration order varies between calls
			if k, n := mode(tt.counts); k != tt.key || n != tt.n {
				t.Fatalf("mode(%v) = %d, %d; want %d, %d", tt.counts, k, n, tt.key, tt.n)
			}
		}
	}
}
