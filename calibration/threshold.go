package calibration

import (
	"fmt"
	"math"
)

// highCertaintyAlpha makes the precision bound one-sided 95%.
const highCertaintyAlpha = 0.05

// Threshold is the high_certainty cut: keep items with probability >=
// Threshold. Coverage, Precision and Kept describe the kept set on the data
// it was chosen on; LowerBound is the one-sided 95% Clopper-Pearson lower
// bound on its precision.
type Threshold struct {
	Found      bool    `json:"found"`
	Threshold  float64 `json:"threshold"`   // keep items with prob >= Threshold
	Coverage   float64 `json:"coverage"`    // share of items kept
	Precision  float64 `json:"precision"`   // accuracy among kept
	LowerBound float64 `json:"lower_bound"` // Clopper-Pearson one-sided 95% lower bound on precision
	Kept       int     `json:"kept"`
}

// HighCertaintyThreshold returns the lowest threshold, among the distinct
// probability values, whose kept set (prob >= threshold) has a one-sided 95%
// Clopper-Pearson lower bound on precision >= target. Lowest, because it
// keeps the most items while still meeting the target with 95% confidence.
// Every distinct value is checked: the bound need not be monotone in the
// threshold (a few confident mistakes at the top can sink a high threshold
// that a lower one, with more items, survives).
//
// target must be in (0.5, 1): below 1/2 "high certainty" means nothing, and
// 1 can never be certified. probs and correct must have equal lengths. When
// no threshold qualifies (or there are no items), Found is false and the
// other fields are zero. Pass out-of-fold probabilities (CrossFit), or the
// bound is optimistic.
func HighCertaintyThreshold(probs []float64, correct []bool, target float64) (Threshold, error) {
	if !(target > 0.5 && target < 1) {
		return Threshold{}, fmt.Errorf("%w: target precision %v is not in (0.5, 1)", ErrInvalidInput, target)
	}
	if len(probs) != len(correct) {
		return Threshold{}, fmt.Errorf("%w: %d probabilities but %d labels", ErrInvalidInput, len(probs), len(correct))
	}
	for i, p := range probs {
		if math.IsNaN(p) {
			return Threshold{}, fmt.Errorf("%w: probability %d is NaN", ErrInvalidInput, i)
		}
	}
	var best Threshold
	for _, s := range keptSets(probs, correct) { // descending threshold
		lb := ClopperPearsonLower(s.correct, s.kept, highCertaintyAlpha)
		if lb >= target {
			best = Threshold{
				Found:      true,
				Threshold:  s.threshold,
				Coverage:   float64(s.kept) / float64(len(probs)),
				Precision:  float64(s.correct) / float64(s.kept),
				LowerBound: lb,
				Kept:       s.kept,
			}
		}
	}
	return best, nil
}
