package judges

import (
	"fmt"
	"sort"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

const tieKey = -1

func answerKey(a *pb.Answer) int {
	if a.Tie || a.Choice == nil {
		return tieKey
	}
	return int(*a.Choice)
}

// aggregateChoices aggregates single-choice votes over k options.
//   - distribution: mean of the votes' one-hot answers (a tie spreads evenly);
//   - each (model, order) group answers with its modal choice over samples;
//     a verdict needs every group to give the same answer;
//   - position_consistency: share of votes matching the most common answer.
func aggregateChoices(votes []*pb.Vote, k int, allowTie bool) Outcome {
	dist := make([]float64, k)
	counts := map[int]int{}
	groups := map[string]map[int]int{}
	for _, v := range votes {
		key := answerKey(v.MappedAnswer)
		counts[key]++
		if key == tieKey {
			for i := range dist {
				dist[i] += 1 / float64(k)
			}
		} else {
			dist[key]++
		}
		g := v.Model + fmt.Sprint(v.ShownOrder)
		if groups[g] == nil {
			groups[g] = map[int]int{}
		}
		groups[g][key]++
	}
	for i := range dist {
		dist[i] /= float64(len(votes))
	}
	_, modalCount := mode(counts)
	out := Outcome{Distribution: dist, Consistency: float64(modalCount) / float64(len(votes))}

	agreed, unanimous := 0, true
	first := true
	for _, g := range groups {
		m, n := mode(g)
		if n*2 <= sum(g) && len(g) > 1 { // no strict majority within the group
			unanimous = false
			break
		}
		if first {
			agreed, first = m, false
		} else if m != agreed {
			unanimous = false
			break
		}
	}
	switch {
	case unanimous && agreed == tieKey:
		out.Status = pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT
		out.Verdict = &pb.Verdict{Tie: true}
		out.TieSource = pb.TieSource_TIE_SOURCE_STATED
	case unanimous:
		out.Status = pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT
		out.Verdict = &pb.Verdict{Choice: ptr(int32(agreed))}
	case allowTie:
		out.Status = pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT
		out.Verdict = &pb.Verdict{Tie: true}
		out.Reason = "orders disagree; reported as a tie"
		out.Code, out.TieSource = pb.ReasonCode_REASON_CODE_ORDERS_DISAGREE, pb.TieSource_TIE_SOURCE_ORDERS_DISAGREE
	default:
		out.Status = pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN
		out.Reason = "orders disagree (position effect); no verdict without agreement"
		out.Code = pb.ReasonCode_REASON_CODE_ORDERS_DISAGREE
	}
	return out
}

// mode returns the most frequent key, the lowest key on ties so the result
// does not depend on map order.
func mode(counts map[int]int) (int, int) {
	keys := make([]int, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	best, bestN := 0, -1
	for _, k := range keys {
		if counts[k] > bestN {
			best, bestN = k, counts[k]
		}
	}
	return best, bestN
}

func sum(m map[int]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
