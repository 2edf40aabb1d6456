package calibration

import (
	"math/rand/v2"
	"testing"
)

// A handful of all-correct outcomes at certainty 100 cannot map to 0.999:
// 8 right at 100 among 300 at 60% accuracy (certainty 60). The guarantee:
// n all-correct outcomes predict at most 1 - Prior*(1-base)/(n+Prior), here
// (8 + 10*188/308)/18 = 0.7835.
func TestSmallSampleNoExtremeProbability(t *testing.T) {
	var s []Sample
	for i := range 300 {
		s = append(s, Sample{Confidence: NormalizeCertainty(60), Correct: i < 180})
	}
	for range 8 {
		s = append(s, Sample{Confidence: NormalizeCertainty(100), Correct: true})
	}
	base := 188.0 / 308
	bound := (8 + Prior*base) / (8 + Prior)
	for _, m := range []Method{MethodIsotonic, MethodHistogram} {
		model, err := Fit(m, s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		p := model.Predict(Sample{Confidence: 1})
		if p > bound+1e-12 || p > 0.8 {
			t.Errorf("%s: Predict(certainty 100) = %v, want <= %v", m, p, bound)
		}
		near(t, string(m)+" at 100", p, bound, 1e-12)
		near(t, string(m)+" at 60", model.Predict(Sample{Confidence: NormalizeCertainty(60)}), (180+Prior*base)/(300+Prior), 1e-12)
	}
}

// On a large clean sample the prior is negligible: predictions stay within
// a percentage point of the empirical accuracy of each band.
func TestLargeSampleFollowsAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	bands := []struct{ cert, acc float64 }{{20, 0.55}, {50, 0.65}, {80, 0.8}, {100, 0.93}}
	var s []Sample
	right := make([]float64, len(bands))
	const per = 2000
	for i, b := range bands {
		for range per {
			ok := r.Float64() < b.acc
			if ok {
				right[i]++
			}
			s = append(s, Sample{Confidence: NormalizeCertainty(b.cert), Correct: ok})
		}
	}
	for _, m := range []Method{MethodIsotonic, MethodHistogram} {
		model, err := Fit(m, s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for i, b := range bands {
			near(t, string(m), model.Predict(Sample{Confidence: NormalizeCertainty(b.cert)}), right[i]/per, 0.01)
		}
	}
}

// When isotonic pools everything into one block (no signal), each fold's
// out-of-fold prediction is the constant shrunk base rate of its training
// folds, never a value fitted on the fold itself.
func TestIsotonicPooledBlockOutOfFold(t *testing.T) {
	var s []Sample
	// Accuracy falls with confidence (60% at .4, 40% at .6): PAV pools all.
	for i := range 250 {
		s = append(s, Sample{Confidence: 0.4, Correct: i%5 < 3}, Sample{Confidence: 0.6, Correct: i%5 < 2})
	}
	const folds = 5
	ps, err := CrossFit(MethodIsotonic, s, Options{}, folds, 9)
	if err != nil {
		t.Fatal(err)
	}
	fold := foldAssignment(len(s), folds, 9)
	for f := range folds {
		var train []Sample
		for i, x := range s {
			if fold[i] != f {
				train = append(train, x)
			}
		}
		b := baseRate(train)
		for i, p := range ps {
			if fold[i] == f {
				near(t, "out-of-fold", p, b, 1e-12) // (k + 10b)/(n + 10) = b when one block holds all
			}
		}
	}
}
