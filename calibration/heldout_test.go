package calibration

import (
	"math/rand/v2"
	"testing"

	"github.com/personajudge/personajudge/stats"
)

// The pooled-block artifact: a constant map cross-fitted on a judge whose
// certainty says nothing has a pooled ECE near 0, because the folds'
// predictions average to the overall accuracy; scored fold by fold it
// keeps each fold's miss.
func TestHeldOutECEIsFoldWise(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 7))
	s := make([]Sample, 300)
	for i := range s {
		s[i] = Sample{Confidence: 0.5 + 0.5*r.Float64(), Correct: r.Float64() < 0.6}
	}
	oof, err := CrossFit(MethodBaseRate, s, Options{}, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	raw := make([]float64, len(s))
	correct := make([]bool, len(s))
	for i, x := range s {
		raw[i], correct[i] = x.Confidence, x.Correct
	}
	pooled := ECE(oof, correct, 10)
	h := EvaluateHeldOut(raw, oof, correct, Folds(len(s), 5, 1), stats.BootstrapOptions{Samples: 200})
	if !(pooled < 0.005 && h.ECE10.Value > 2*pooled+0.01) {
		t.Errorf("pooled ECE %v, fold-wise %v: want the fold-wise figure to keep the folds' misses", pooled, h.ECE10.Value)
	}
	if !(h.ECE10.Lower <= h.ECE10.Value && h.ECE10.Value <= h.ECE10.Upper) || h.ECE10.N != 300 {
		t.Errorf("interval %+v", h.ECE10)
	}
	if h.BrierSkillBase != 0 {
		t.Errorf("the base rate against itself: skill %v, want 0", h.BrierSkillBase)
	}
	if h.BrierSkillIdentity <= 0 {
		t.Errorf("skill against an overconfident identity map %v, want > 0", h.BrierSkillIdentity)
	}
}
