package calibration

import (
	"fmt"
	"math"
	"slices"
)

// Scalar metrics over (probability, correct) pairs.
//
// Conventions shared by all of them: probs[i] is the claimed probability
// that item i is right and correct[i] whether it was. The two slices must
// have the same length -- a mismatch is a programming error and panics, as
// in gonum's floats package. On empty input ECE, MCE, Brier and LogLoss
// return 0 and AUROC returns 0.5; check N (see Evaluate) before reading them.

// logLossEps clips probabilities before the log so that one confident
// mistake costs log(1e15) ~ 34.5 instead of infinity (scikit-learn's choice).
const logLossEps = 1e-15

func mustSameLen(probs []float64, correct []bool) {
	if len(probs) != len(correct) {
		panic(fmt.Sprintf("calibration: %d probabilities but %d labels", len(probs), len(correct)))
	}
}

// reliability bins the pairs into `bins` equal-width bins on [0,1] (last
// bin closed, see binIndex).
func reliability(probs []float64, correct []bool, bins int) []Reliability {
	mustSameLen(probs, correct)
	if bins < 1 {
		bins = 1
	}
	out := make([]Reliability, bins)
	for i := range out {
		out[i].Lo = float64(i) / float64(bins)
		out[i].Hi = float64(i+1) / float64(bins)
	}
	for i, p := range probs {
		b := &out[binIndex(p, bins)]
		b.Count++
		b.MeanConfidence += p
		if correct[i] {
			b.Accuracy++
		}
	}
	for i := range out {
		if c := out[i].Count; c > 0 {
			out[i].MeanConfidence /= float64(c)
			out[i].Accuracy /= float64(c)
		}
	}
	return out
}

// ECE is the expected calibration error: items are put in `bins`
// equal-width bins on [0,1] (the last bin closed), and the result is the
// mean over bins of |accuracy - mean confidence| weighted by the bin's share
// of items. bins < 1 is treated as 1.
func ECE(probs []float64, correct []bool, bins int) float64 {
	var sum float64
	for _, b := range reliability(probs, correct, bins) {
		sum += float64(b.Count) * math.Abs(b.Accuracy-b.MeanConfidence)
	}
	if len(probs) == 0 {
		return 0
	}
	return sum / float64(len(probs))
}

// MCE is the maximum calibration error: the largest |accuracy - mean
// confidence| over the non-empty bins of the same binning as ECE. It shows
// the worst region, which ECE averages away.
func MCE(probs []float64, correct []bool, bins int) float64 {
	var worst float64
	for _, b := range reliability(probs, correct, bins) {
		if b.Count > 0 {
			worst = math.Max(worst, math.Abs(b.Accuracy-b.MeanConfidence))
		}
	}
	return worst
}

// Brier is the mean squared difference between probability and outcome
// (1 if correct, 0 if not).
func Brier(probs []float64, correct []bool) float64 {
	mustSameLen(probs, correct)
	if len(probs) == 0 {
		return 0
	}
	var sum float64
	for i, p := range probs {
		d := p - b2f(correct[i])
		sum += d * d
	}
	return sum / float64(len(probs))
}

// LogLoss is the mean negative log-likelihood of the outcomes, with
// probabilities clipped to [1e-15, 1-1e-15].
func LogLoss(probs []float64, correct []bool) float64 {
	mustSameLen(probs, correct)
	if len(probs) == 0 {
		return 0
	}
	var sum float64
	for i, p := range probs {
		p = clamp(p, logLossEps, 1-logLossEps)
		if correct[i] {
			sum -= math.Log(p)
		} else {
			sum -= math.Log1p(-p)
		}
	}
	return sum / float64(len(probs))
}

// AUROC is the area under the ROC curve of scores as a detector of correct
// items: the probability that a random correct item scores higher than a
// random wrong one, ties counting 1/2 (the Mann-Whitney U statistic divided
// by n+ * n-, computed from mid-ranks). When all items are correct or all are
// wrong the area is undefined; we return 0.5, "no discrimination shown",
// rather than NaN so that reports stay JSON-encodable.
func AUROC(scores []float64, correct []bool) float64 {
	mustSameLen(scores, correct)
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmpFloat(scores[a], scores[b]) })

	var nPos, nNeg, rankSumPos float64
	for lo := 0; lo < len(idx); {
		hi := lo
		for hi < len(idx) && cmpFloat(scores[idx[hi]], scores[idx[lo]]) == 0 {
			hi++
		}
		midRank := float64(lo+hi+1) / 2 // mean of 1-based ranks lo+1..hi
		for _, i := range idx[lo:hi] {
			if correct[i] {
				nPos++
				rankSumPos += midRank
			} else {
				nNeg++
			}
		}
		lo = hi
	}
	if nPos == 0 || nNeg == 0 {
		return 0.5
	}
	u := rankSumPos - nPos*(nPos+1)/2
	return u / (nPos * nNeg)
}

// cmpFloat orders floats ascending with NaN first, so sorting is total.
func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	case math.IsNaN(a) && math.IsNaN(b):
		return 0
	case math.IsNaN(a):
		return -1
	}
	return 1
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
