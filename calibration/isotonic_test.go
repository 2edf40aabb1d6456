package calibration

import (
	"math/rand/v2"
	"testing"
)

func TestIsotonicPAV(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		conf   []float64
		labels []bool
		knots  []float64
		values []float64
	}{
		{
			// 1,0 violate -> pooled {.1,.2} = .5; then 1,1 pooled {.3,.4} = 1 -> .999
			name:   "1,0,1,1",
			conf:   []float64{0.1, 0.2, 0.3, 0.4},
			labels: []bool{true, false, true, true},
			knots:  []float64{0.1, 0.2, 0.3, 0.4},
			values: []float64{0.5, 0.5, 0.999, 0.999},
		},
		{
			// 0 | 1,0 -> .5 | 1: blocks {.1}=0 -> .001, {.2,.3}=.5, {.4}=1 -> .999
			name:   "0,1,0,1",
			conf:   []float64{0.1, 0.2, 0.3, 0.4},
			labels: []bool{false, true, false, true},
			knots:  []float64{0.1, 0.2, 0.3, 0.4},
			values: []float64{0.001, 0.5, 0.5, 0.999},
		},
		{
			// 1,1,0,0: every step violates -> one block of mean 2/4
			name:   "1,1,0,0",
			conf:   []float64{0.1, 0.2, 0.3, 0.4},
			labels: []bool{true, true, false, false},
			knots:  []float64{0.1, 0.4},
			values: []float64{0.5, 0.5},
		},
		{
			// Input order does not matter, and ties in confidence are pooled
			// first: at .6 one right one wrong = .5; .2 wrong; .9 right, .9 right.
			// Blocks {.2}=0, {.6}=.5, {.9}=1 (no violations).
			name:   "unsorted with ties",
			conf:   []float64{0.9, 0.6, 0.2, 0.6, 0.9},
			labels: []bool{true, false, false, true, true},
			knots:  []float64{0.2, 0.6, 0.9},
			values: []float64{0.001, 0.5, 0.999},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := make([]Sample, len(tc.conf))
			for i := range s {
				s[i] = Sample{Confidence: tc.conf[i], Correct: tc.labels[i]}
			}
			knots, values := fitIsotonic(s, 0) // plain PAV, no prior
			if len(knots) != len(tc.knots) {
				t.Fatalf("knots %v values %v, want %v %v", knots, values, tc.knots, tc.values)
			}
			for i := range tc.knots {
				near(t, "knot", knots[i], tc.knots[i], 0)
				near(t, "value", values[i], tc.values[i], 1e-12)
			}
		})
	}
}

func TestIsotonicPredictInterpolates(t *testing.T) {
	t.Parallel()
	// Knots from the "1,0,1,1" case: (.1,.5) (.2,.5) (.3,.999) (.4,.999).
	// Plain PAV (no prior), so the knots are the ones above.
	s := []Sample{{Confidence: 0.1, Correct: true}, {Confidence: 0.2}, {Confidence: 0.3, Correct: true}, {Confidence: 0.4, Correct: true}}
	knots, values := fitIsotonic(s, 0)
	tests := []struct{ conf, want float64 }{
		{0.05, 0.5},    // below the first knot: constant
		{0.15, 0.5},    // inside block {.1,.2}
		{0.25, 0.7495}, // halfway across the gap: (.5 + .999)/2
		{0.35, 0.999},  // inside block {.3,.4}
		{0.9, 0.999},   // beyond the last knot
	}
	for _, tc := range tests {
		near(t, "Predict", predictIsotonic(knots, values, tc.conf), tc.want, 1e-12)
	}
}

func TestIsotonicMonotoneOnNoise(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 7))
	s := make([]Sample, 500)
	for i := range s {
		c := r.Float64()
		s[i] = Sample{Confidence: c, Correct: r.Float64() < c}
	}
	m, err := Fit(MethodIsotonic, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	prev := 0.0
	for i := 0; i <= 1000; i++ {
		p := m.Predict(Sample{Confidence: float64(i) / 1000})
		if p < prev {
			t.Fatalf("not monotone at %v: %v < %v", float64(i)/1000, p, prev)
		}
		prev = p
	}
}
