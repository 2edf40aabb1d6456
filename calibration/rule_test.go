package calibration

import "testing"

func TestFixedRuleBaseline(t *testing.T) {
	var norm []float64
	var ys []bool
	add := func(cert float64, n, right int) {
		for i := range n {
			norm, ys = append(norm, NormalizeCertainty(cert)), append(ys, i < right)
		}
	}
	add(100, 40, 38) // kept
	add(80, 60, 50)  // kept: exactly at the rule
	add(79, 50, 50)  // not kept
	add(30, 50, 20)
	got := FixedRuleBaseline(norm, ys)
	if got.Kept != 100 {
		t.Fatalf("kept %d, want 100", got.Kept)
	}
	near(t, "Coverage", got.Coverage, 0.5, 1e-12)
	near(t, "Precision", got.Precision, 0.88, 1e-12)
	near(t, "LowerBound", got.LowerBound, ClopperPearsonLower(88, 100, 0.05), 0)

	if got := FixedRuleBaseline(nil, nil); got != (RuleBaseline{}) {
		t.Errorf("empty: %+v", got)
	}
	if got := FixedRuleBaseline([]float64{NormalizeCertainty(50)}, []bool{true}); got != (RuleBaseline{}) {
		t.Errorf("nothing kept: %+v", got)
	}
}
