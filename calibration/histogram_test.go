package calibration

import "testing"

func TestHistogramFit(t *testing.T) {
	t.Parallel()
	// 2 bins, base rate 4/6, Prior 10 pseudo-outcomes at the base rate:
	//   bin [0,.5):  .1 right, .2 wrong, .3 wrong -> (1 + 10*2/3)/(3+10)
	//   bin [.5,1]:  .5, .8, 1.0 all right        -> (3 + 10*2/3)/(3+10)
	samples := []Sample{
		{Confidence: 0.1, Correct: true}, {Confidence: 0.2}, {Confidence: 0.3},
		{Confidence: 0.5, Correct: true}, {Confidence: 0.8, Correct: true}, {Confidence: 1, Correct: true},
	}
	m, err := Fit(MethodHistogram, samples, Options{Bins: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.BinProbs) != 2 || m.BinCounts[0] != 3 || m.BinCounts[1] != 3 {
		t.Fatalf("model %+v", m)
	}
	lo, hi := (1+20.0/3)/13, (3+20.0/3)/13
	tests := []struct{ conf, want float64 }{
		{0, lo}, {0.49, lo}, {0.5, hi}, {1, hi},
	}
	for _, tc := range tests {
		near(t, "Predict", m.Predict(Sample{Confidence: tc.conf}), tc.want, 1e-12)
	}
}

func TestHistogramEmptyBinFallsBackToBaseRate(t *testing.T) {
	t.Parallel()
	// 4 bins; data only in bin 0 (.1 wrong) and bin 3 (.9 right); base .5.
	//   bin 0: (0 + 10*.5)/(1+10) = 5/11
	//   bins 1, 2: empty -> the base rate .5
	//   bin 3: (1 + 10*.5)/(1+10) = 6/11
	m, err := Fit(MethodHistogram, []Sample{{Confidence: 0.1}, {Confidence: 0.9, Correct: true}}, Options{Bins: 4})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{5.0 / 11, 0.5, 0.5, 6.0 / 11}
	for i, w := range want {
		near(t, "BinProbs", m.BinProbs[i], w, 1e-12)
	}
}

func TestHistogramNeverZeroOrOne(t *testing.T) {
	t.Parallel()
	// 1000 all-wrong items in bin 0 and 1000 all-right in bin 9 (10 bins),
	// base .5: (0 + 5)/1010 and (1000 + 5)/1010, strictly inside (0,1).
	var s []Sample
	for range 1000 {
		s = append(s, Sample{Confidence: 0.01}, Sample{Confidence: 0.99, Correct: true})
	}
	m, err := Fit(MethodHistogram, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Options.Bins != DefaultBins {
		t.Errorf("Bins = %d, want default %d", m.Options.Bins, DefaultBins)
	}
	near(t, "bin 0", m.BinProbs[0], 5.0/1010, 1e-15)
	near(t, "bin 9", m.BinProbs[9], 1005.0/1010, 1e-12)
	near(t, "low", m.Predict(Sample{Confidence: 0.01}), 5.0/1010, 1e-12)
	// All right: the base rate is 1, so is every bin, and Predict clamps.
	m, err = Fit(MethodHistogram, s[1:2], Options{})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "high", m.Predict(Sample{Confidence: 0.99}), 0.999, 1e-12)
}
