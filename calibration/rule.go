package calibration

// RuleCertainty is the paper's fixed high-certainty rule: a judgment with
// raw certainty >= 80 (normalized >= 79/99) counts as high certainty.
const RuleCertainty = 80

// RuleBaseline is what the fixed rule keeps on a set of outcomes.
type RuleBaseline struct {
	Kept       int     `json:"kept"`
	Coverage   float64 `json:"coverage"`    // share of items kept
	Precision  float64 `json:"precision"`   // accuracy among kept (0 when none)
	LowerBound float64 `json:"lower_bound"` // one-sided 95% Clopper-Pearson lower bound on Precision
}

// FixedRuleBaseline applies the rule normalized certainty >= 79/99 (raw
// certainty >= RuleCertainty) to normalized certainties (NormalizeCertainty;
// not calibrated or identity-mapped probabilities) and reports coverage,
// precision and its Clopper-Pearson lower bound: the baseline a fitted
// threshold has to beat. It panics on mismatched lengths, like the metrics.
func FixedRuleBaseline(normalized []float64, correct []bool) RuleBaseline {
	mustSameLen(normalized, correct)
	cut := NormalizeCertainty(RuleCertainty)
	var b RuleBaseline
	var k int
	for i, c := range normalized {
		// Compare on the 1..100 scale so that 79/99 computed another way
		// (rounding in the last bit) still counts as 80.
		if c*99+1 >= RuleCertainty-1e-9 || c >= cut {
			b.Kept++
			if correct[i] {
				k++
			}
		}
	}
	if len(normalized) > 0 {
		b.Coverage = float64(b.Kept) / float64(len(normalized))
	}
	if b.Kept > 0 {
		b.Precision = float64(k) / float64(b.Kept)
	}
	b.LowerBound = ClopperPearsonLower(k, b.Kept, highCertaintyAlpha)
	return b
}
