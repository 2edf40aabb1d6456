package calibration

import (
	"math"
	"slices"
)

// Reliability is one bin of a reliability diagram: the items whose
// probability lies in [Lo, Hi) (the last bin also holds 1). An empty bin has
// Count 0 and zero MeanConfidence and Accuracy.
type Reliability struct {
	Lo             float64 `json:"lo"`
	Hi             float64 `json:"hi"`
	Count          int     `json:"count"`
	MeanConfidence float64 `json:"mean_confidence"`
	Accuracy       float64 `json:"accuracy"`
}

// RiskCoveragePoint is what a caller gets by keeping only the items with
// probability >= Threshold: the share of items kept (Coverage) and the error
// rate among them (Risk = 1 - accuracy among kept).
type RiskCoveragePoint struct {
	Threshold float64 `json:"threshold"`
	Coverage  float64 `json:"coverage"`
	Risk      float64 `json:"risk"`
}

// Metrics summarises how good a set of probabilities is.
type Metrics struct {
	N        int     `json:"n"`
	Accuracy float64 `json:"accuracy"`
	ECE10    float64 `json:"ece10"`
	ECE20    float64 `json:"ece20"`
	MCE10    float64 `json:"mce10"`
	Brier    float64 `json:"brier"`
	LogLoss  float64 `json:"log_loss"`
	AUROC    float64 `json:"auroc"`

	Bins         []Reliability       `json:"bins"`          // 10 equal-width bins
	RiskCoverage []RiskCoveragePoint `json:"risk_coverage"` // descending threshold
}

// maxRiskCoveragePoints caps the risk-coverage curve so that a report on
// thousands of distinct probabilities stays small.
const maxRiskCoveragePoints = 101

// Evaluate computes all metrics. probs and correct must have the same length
// (it panics otherwise, like the metric functions). With no items it returns
// N = 0, zero metrics (AUROC 0.5), ten empty bins and no curve.
func Evaluate(probs []float64, correct []bool) Metrics {
	mustSameLen(probs, correct)
	m := Metrics{
		N:            len(probs),
		ECE10:        ECE(probs, correct, 10),
		ECE20:        ECE(probs, correct, 20),
		MCE10:        MCE(probs, correct, 10),
		Brier:        Brier(probs, correct),
		LogLoss:      LogLoss(probs, correct),
		AUROC:        AUROC(probs, correct),
		Bins:         reliability(probs, correct, 10),
		RiskCoverage: RiskCoverage(probs, correct),
	}
	if m.N > 0 {
		var k int
		for _, c := range correct {
			if c {
				k++
			}
		}
		m.Accuracy = float64(k) / float64(m.N)
	}
	return m
}

// keptPoint is the kept set at one distinct threshold.
type keptPoint struct {
	threshold     float64
	kept, correct int
}

// keptSets returns, for every distinct probability value in descending
// order, how many items have probability >= that value and how many of those
// are correct. NaN probabilities are never kept.
func keptSets(probs []float64, correct []bool) []keptPoint {
	mustSameLen(probs, correct)
	idx := make([]int, 0, len(probs))
	for i, p := range probs {
		if !math.IsNaN(p) {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(a, b int) int { return cmpFloat(probs[b], probs[a]) })
	var out []keptPoint
	var kept, k int
	for j, i := range idx {
		kept++
		if correct[i] {
			k++
		}
		if j+1 == len(idx) || probs[idx[j+1]] != probs[i] {
			out = append(out, keptPoint{threshold: probs[i], kept: kept, correct: k})
		}
	}
	return out
}

// RiskCoverage returns the risk-coverage curve: one point per distinct
// probability value, thresholds descending (coverage ascending). When there
// are more than 101 distinct values it keeps 101 quantiles of coverage: for
// each q = 0, 0.01, ..., 1 the first point whose coverage reaches q
// (duplicates dropped), so the curve stays evenly spread over the items and
// always ends at full coverage.
func RiskCoverage(probs []float64, correct []bool) []RiskCoveragePoint {
	sets := keptSets(probs, correct)
	n := float64(len(probs))
	all := make([]RiskCoveragePoint, len(sets))
	for i, s := range sets {
		all[i] = RiskCoveragePoint{
			Threshold: s.threshold,
			Coverage:  float64(s.kept) / n,
			Risk:      1 - float64(s.correct)/float64(s.kept),
		}
	}
	if len(all) <= maxRiskCoveragePoints {
		return all
	}
	out := make([]RiskCoveragePoint, 0, maxRiskCoveragePoints)
	j := 0
	for q := 0; q < maxRiskCoveragePoints; q++ {
		target := float64(q) / float64(maxRiskCoveragePoints-1)
		for j < len(all)-1 && float64(sets[j].kept) < target*n {
			j++
		}
		if len(out) == 0 || out[len(out)-1].Threshold != all[j].Threshold {
			out = append(out, all[j])
		}
	}
	return out // q = 1 always reaches the last point, so the curve ends at full coverage
}
