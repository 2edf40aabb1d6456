package calibration

import (
	"math"
	"math/rand/v2"
	"testing"
)

// near fails the test when got is not within tol of want.
func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.12g, want %.12g (tol %g)", name, got, want, tol)
	}
}

// overconfident returns n deterministic samples whose confidence is uniform
// on [0.5,1] but whose true probability of being right is only
// 0.5 + 0.3*(conf-0.5): a judge that claims too much.
func overconfident(n int, seed uint64) []Sample {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]Sample, n)
	for i := range out {
		c := 0.5 + 0.5*r.Float64()
		p := 0.5 + 0.3*(c-0.5)
		out[i] = Sample{Confidence: c, Correct: r.Float64() < p}
	}
	return out
}

// probsAndLabels predicts every sample with m (or returns the raw
// confidence when m is nil).
func probsAndLabels(m *Model, samples []Sample) ([]float64, []bool) {
	ps := make([]float64, len(samples))
	ys := make([]bool, len(samples))
	for i, s := range samples {
		ps[i] = s.Confidence
		if m != nil {
			ps[i] = m.Predict(s)
		}
		ys[i] = s.Correct
	}
	return ps, ys
}
