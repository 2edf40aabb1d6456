package judges

import (
	"fmt"
	"strings"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// distributionTieTolerance: mean probabilities closer than this are equal.
// Float sums over orders differ in the last bits; such a difference is not
// evidence for either candidate.
const distributionTieTolerance = 1e-9

// aggregateDistributions aggregates votes that each state a distribution
// over k canonical options; name(i) names option i in reasons.
//   - distribution: the mean of the votes' distributions;
//   - verdict: its argmax; a tie at the top (within distributionTieTolerance)
//     is ABSTAIN, since picking by index would favour the caller's order;
//   - position_consistency: the share of votes whose own unique argmax is
//     the verdict. A vote with a tied top backs no single candidate and does
//     not count as agreeing, so consistency is never overstated. On ABSTAIN
//     it is the largest such share among the tied candidates.
//
// Averaging the distributions, not counting argmaxes, is what lets the
// cyclic policy cancel a position bias: a judge that always favours the
// first slot gives every candidate the same mass once per slot.
func aggregateDistributions(votes []*pb.Vote, k int, name func(int) string) Outcome {
	mean := make([]float64, k)
	var dists [][]float64
	for _, v := range votes {
		d := v.GetMappedAnswer().GetDistribution()
		if len(d) != k {
			continue // not a distribution over these options; cannot be averaged
		}
		dists = append(dists, d)
		for i, p := range d {
			mean[i] += p
		}
	}
	if len(dists) == 0 {
		return Outcome{
			Status: pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR,
			Reason: fmt.Sprintf("no vote carried a distribution over the %d options", k),
			Code:   pb.ReasonCode_REASON_CODE_UNREADABLE_OUTPUT,
		}
	}
	for i := range mean {
		mean[i] /= float64(len(dists))
	}
	agree := func(c int) float64 {
		n := 0
		for _, d := range dists {
			if top := topSet(d); len(top) == 1 && top[0] == c {
				n++
			}
		}
		return float64(n) / float64(len(dists))
	}
	out := Outcome{Distribution: mean}
	top := topSet(mean)
	if len(top) == 1 {
		out.Status = pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT
		out.Verdict = &pb.Verdict{Choice: ptr(int32(top[0]))}
		out.Consistency = agree(top[0])
		return out
	}
	names := make([]string, len(top))
	for i, c := range top {
		names[i] = name(c)
		out.Consistency = max(out.Consistency, agree(c))
	}
	out.Status, out.Code = pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN, pb.ReasonCode_REASON_CODE_TIED_TOP
	out.Reason = fmt.Sprintf("%s tie for the highest mean probability (%.3f); no verdict without a single most likely option",
		strings.Join(names, ", "), mean[top[0]])
	return out
}

// topSet returns the indices whose value is within distributionTieTolerance
// of the maximum, in ascending order.
func topSet(d []float64) []int {
	if len(d) == 0 {
		return nil
	}
	best := d[0]
	for _, p := range d[1:] {
		best = max(best, p)
	}
	var top []int
	for i, p := range d {
		if p >= best-distributionTieTolerance {
			top = append(top, i)
		}
	}
	return top
}
