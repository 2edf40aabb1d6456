package calibration

import (
	"math"
	"testing"
)

// The tiny hand-computed set used by the metric tests.
//
//	i     0    1    2     3    4    5
//	p    .1   .4   .45   .8   .9   1.0
//	y     0    1    0     1    1    1
var (
	tinyProbs   = []float64{0.1, 0.4, 0.45, 0.8, 0.9, 1.0}
	tinyCorrect = []bool{false, true, false, true, true, true}
)

func TestECEAndMCE(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		bins     int
		ece, mce float64
	}{
		// 10 bins: [.1,.2) {.1}: conf .1 acc 0 -> .1, n=1
		//          [.4,.5) {.4,.45}: conf .425 acc .5 -> .075, n=2
		//          [.8,.9) {.8}: conf .8 acc 1 -> .2, n=1
		//          [.9,1]  {.9,1}: conf .95 acc 1 -> .05, n=2 (1.0 in the closed last bin)
		// ECE = (1*.1 + 2*.075 + 1*.2 + 2*.05)/6 = .55/6; MCE = .2
		{"10 bins", 10, 0.55 / 6, 0.2},
		// 2 bins: [0,.5) {.1,.4,.45}: conf .95/3 acc 1/3 -> |1/3-.95/3| = .05/3, n=3
		//         [.5,1] {.8,.9,1}: conf .9 acc 1 -> .1, n=3
		// ECE = (3*.05/3 + 3*.1)/6 = .35/6; MCE = .1
		{"2 bins", 2, 0.35 / 6, 0.1},
		// 1 bin: conf 3.65/6, acc 4/6 -> |4-3.65|/6 = .35/6 for both
		{"1 bin", 1, 0.35 / 6, 0.35 / 6},
		{"0 bins reads as 1", 0, 0.35 / 6, 0.35 / 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			near(t, "ECE", ECE(tinyProbs, tinyCorrect, tc.bins), tc.ece, 1e-12)
			near(t, "MCE", MCE(tinyProbs, tinyCorrect, tc.bins), tc.mce, 1e-12)
		})
	}
}

func TestECEBinEdges(t *testing.T) {
	t.Parallel()
	// 0.7 sits on the edge 14/20 and must land in bin 14 [.70,.75), not 13,
	// whatever 0.7*20 rounds to; 1.0 must land in the last bin.
	tests := []struct {
		p    float64
		bins int
		want int
	}{
		{0.7, 20, 14}, {0.3, 10, 3}, {0.6, 10, 6}, {1, 10, 9}, {0, 10, 0},
		{0.999999, 10, 9}, {-0.2, 10, 0}, {1.5, 10, 9}, {math.NaN(), 10, 0},
	}
	for _, tc := range tests {
		if got := binIndex(tc.p, tc.bins); got != tc.want {
			t.Errorf("binIndex(%v, %d) = %d, want %d", tc.p, tc.bins, got, tc.want)
		}
	}
}

func TestBrierAndLogLoss(t *testing.T) {
	t.Parallel()
	// Brier: .1^2 + .6^2 + .45^2 + .2^2 + .1^2 + 0^2
	//      = .01 + .36 + .2025 + .04 + .01 + 0 = .6225; /6 = .10375
	near(t, "Brier", Brier(tinyProbs, tinyCorrect), 0.10375, 1e-12)
	// LogLoss: -(ln .9 + ln .4 + ln .55 + ln .8 + ln .9 + ln(1-1e-15))/6
	//        = (0.1053605 + 0.9162907 + 0.5978370 + 0.2231436 + 0.1053605 + 1e-15)/6
	//        = 1.9479923/6 = 0.3246654
	want := -(math.Log(0.9) + math.Log(0.4) + math.Log(0.55) + math.Log(0.8) + math.Log(0.9)) / 6
	near(t, "LogLoss", LogLoss(tinyProbs, tinyCorrect), want, 1e-12)
	near(t, "LogLoss (decimal)", LogLoss(tinyProbs, tinyCorrect), 0.3246654, 1e-7)

	// A confident mistake is clipped: -ln(1e-15) = 34.538776...
	near(t, "LogLoss clipped", LogLoss([]float64{0}, []bool{true}), 15*math.Ln10, 1e-9)

	for name, f := range map[string]func([]float64, []bool) float64{"Brier": Brier, "LogLoss": LogLoss} {
		if got := f(nil, nil); got != 0 {
			t.Errorf("%s(empty) = %v, want 0", name, got)
		}
	}
}

func TestAUROC(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		scores  []float64
		correct []bool
		want    float64
	}{
		// positives {.4,.8,.9,1}, negatives {.1,.45}: of 8 pairs only
		// (.4 vs .45) is lost -> 7/8
		{"tiny set", tinyProbs, tinyCorrect, 0.875},
		// positives {.5,.7}, negatives {.5,.2}: .5~.5 tie (1/2), .5>.2,
		// .7>.5, .7>.2 -> 3.5/4
		{"tie counts half", []float64{0.5, 0.5, 0.7, 0.2}, []bool{true, false, true, false}, 0.875},
		{"all tied", []float64{0.3, 0.3, 0.3}, []bool{true, false, true}, 0.5},
		{"perfectly wrong", []float64{0.9, 0.1}, []bool{false, true}, 0},
		{"perfect", []float64{0.9, 0.1}, []bool{true, false}, 1},
		{"only positives", []float64{0.9, 0.1}, []bool{true, true}, 0.5},
		{"only negatives", []float64{0.9, 0.1}, []bool{false, false}, 0.5},
		{"empty", nil, nil, 0.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			near(t, "AUROC", AUROC(tc.scores, tc.correct), tc.want, 1e-12)
		})
	}
}

func TestMetricsPanicOnLengthMismatch(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("Brier with mismatched lengths did not panic")
		}
	}()
	Brier([]float64{0.5}, nil)
}
