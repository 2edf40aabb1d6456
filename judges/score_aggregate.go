package judges

import (
	"fmt"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// evaluatorScores is one judge model's scores for one item: the mean score
// of each order it was shown (samples within an order averaged first), in
// the order the orders were first seen.
type evaluatorScores struct {
	Model  string
	Orders []float64
}

// mean is the evaluator's score for the item: the mean over its orders, so
// each order weighs the same even when some samples of one order failed.
func (e evaluatorScores) mean() float64 { return meanOfScores(e.Orders) }

// spread is how far apart the evaluator's orders are: 0 with one order.
func (e evaluatorScores) spread() float64 {
	lo, hi := e.Orders[0], e.Orders[0]
	for _, s := range e.Orders[1:] {
		lo, hi = min(lo, s), max(hi, s)
	}
	return hi - lo
}

// scoresByEvaluator groups scored votes by model and shown order. Votes
// without a score are ignored; the caller passes valid votes only.
func scoresByEvaluator(votes []*pb.Vote) []evaluatorScores {
	type acc struct{ sum, n float64 }
	var models []string
	orders := map[string][]string{}
	sums := map[string]map[string]*acc{}
	for _, v := range votes {
		if v.GetMappedAnswer().Score == nil {
			continue
		}
		if sums[v.Model] == nil {
			models = append(models, v.Model)
			sums[v.Model] = map[string]*acc{}
		}
		key := fmt.Sprint(v.ShownOrder)
		a := sums[v.Model][key]
		if a == nil {
			a = &acc{}
			sums[v.Model][key] = a
			orders[v.Model] = append(orders[v.Model], key)
		}
		a.sum += *v.MappedAnswer.Score
		a.n++
	}
	out := make([]evaluatorScores, 0, len(models))
	for _, m := range models {
		e := evaluatorScores{Model: m}
		for _, key := range orders[m] {
			a := sums[m][key]
			e.Orders = append(e.Orders, a.sum/a.n)
		}
		out = append(out, e)
	}
	return out
}

// aggregateScores aggregates rubric-score votes (the engine passes only
// models that answered every order; failed models are already named in
// failed_models).
//   - verdict score: mean over models of each model's mean over its orders
//     (samples within an order averaged first);
//   - score_spread: the largest difference between one model's order means
//     (ascending vs descending), the maximum over models;
//   - position_consistency: 1 - (mean over models of that difference) / 4,
//     4 being the widest possible gap on a 1-5 scale. Both orders agreeing
//     gives 1, a judge that always picks the first level listed (1 vs 5)
//     gives 0, and a one-point wobble costs 0.25. A graded measure, unlike
//     the choice judges' share of agreeing votes, because on a scale how far
//     the orders disagree matters, not only whether they do;
//   - distribution: the share of votes at each level 1..5.
//
// Disagreeing orders still give a VERDICT: the mean is the position-fair
// estimate, and the spread and consistency report the position effect.
func aggregateScores(votes []*pb.Vote) Outcome {
	evals := scoresByEvaluator(votes)
	if len(evals) == 0 {
		return Outcome{Status: pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR, Reason: "no scored votes", Code: pb.ReasonCode_REASON_CODE_UNREADABLE_OUTPUT}
	}
	dist := make([]float64, RubricLevels)
	n := 0
	for _, v := range votes {
		if s := v.GetMappedAnswer().Score; s != nil && *s >= 1 && *s <= RubricLevels {
			dist[int(*s)-1]++
			n++
		}
	}
	for i := range dist {
		dist[i] /= float64(n)
	}
	var means []float64
	var spreadSum, spreadMax float64
	for _, e := range evals {
		means = append(means, e.mean())
		sp := e.spread()
		spreadSum += sp
		spreadMax = max(spreadMax, sp)
	}
	out := Outcome{
		Status:       pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT,
		Verdict:      &pb.Verdict{Score: ptr(meanOfScores(means))},
		Distribution: dist,
		Consistency:  1 - spreadSum/float64(len(evals))/(RubricLevels-1),
		ScoreSpread:  spreadMax,
	}
	if spreadMax > 0 {
		out.Reason = fmt.Sprintf("rubric orders disagree by up to %.3g points (position effect); the score is their mean", spreadMax)
	}
	return out
}

func meanOfScores(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
