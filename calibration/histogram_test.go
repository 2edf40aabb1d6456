package calibration

import "testing"

func TestHistogramFit(t *testing.T) {
	t.Parallel()
	// 2 bins, prior weight 2 at the bin midpoint (.25 and .75):
	//   bin [0,.5):  .1 right, .2 wrong, .3 wrong -> (1 + 2*.25)/(3+2) = 1.5/5 = .3
	//   bin [.5,1]:  .5, .8, 1.0 all right        -> (3 + 2*.75)/(3+2) = 4.5/5 = .9
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
	tests := []struct{ conf, want float64 }{
		{0, 0.3}, {0.49, 0.3}, {0.5, 0.9}, {1, 0.9},
	}
	for _, tc := range tests {
		near(t, "Predict", m.Predict(Sample{Confidence: tc.conf}), tc.want, 1e-12)
	}
}

func TestHistogramEmptyBinFallsBackToMidpoint(t *testing.T) {
	t.Parallel()
	// 4 bins; data only in bin 0 (.1 wrong) and bin 3 (.9 right).
	//   bin 0: (0 + 2*.125)/(1+2) = .25/3 = .083333
	//   bin 1: empty -> midpoint .375
	//   bin 2: empty -> midpoint .625
	//   bin 3: (1 + 2*.875)/(1+2) = 2.75/3 = .916667
	m, err := Fit(MethodHistogram, []Sample{{Confidence: 0.1}, {Confidence: 0.9, Correct: true}}, Options{Bins: 4})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.25 / 3, 0.375, 0.625, 2.75 / 3}
	for i, w := range want {
		near(t, "BinProbs", m.BinProbs[i], w, 1e-12)
	}
}

func TestHistogramNeverZeroOrOne(t *testing.T) {
	t.Parallel()
	// 1000 all-wrong items in bin 0 and 1000 all-right in bin 9 (10 bins):
	// (0 + 2*.05)/1002 = .0000998 -> clamped to .001 by Predict;
	// (1000 + 2*.95)/1002 = .999900 -> clamped to .999. The fitted bins
	// themselves are already strictly inside (0,1).
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
	near(t, "low", m.Predict(Sample{Confidence: 0.01}), 0.001, 1e-12)
	near(t, "bin 0", m.BinProbs[0], 0.1/1002, 1e-15)
	near(t, "bin 9", m.BinProbs[9], 1001.9/1002, 1e-12)
	near(t, "high", m.Predict(Sample{Confidence: 0.99}), 0.999, 1e-12)
}
