package calibration

import (
	"errors"
	"math"
	"testing"
)

func TestEvaluateChoices(t *testing.T) {
	t.Parallel()
	// item 0: [.7 .2 .1], gold 0: argmax 0 right, top2 yes, rank 1,
	//         brier .3^2+.2^2+.1^2 = .14, max .7 (bin [.70,.75)), right
	// item 1: [.2 .5 .3], gold 2: argmax 1 wrong, top2 (1,2) yes, rank 2,
	//         brier .2^2+.5^2+.7^2 = .04+.25+.49 = .78, max .5 (bin [.50,.55)), wrong
	// item 2: [.4 .4 .2], gold 1: argmax tie -> index 0, wrong; top2 (0,1) yes;
	//         rank 1 + 0 above + 1 tied/2 = 1.5; brier .16+.36+.04 = .56,
	//         max .4 (bin [.40,.45)), wrong
	// Top1 = 1/3, Top2 = 1, MeanRank = (1+2+1.5)/3 = 1.5,
	// Brier = (.14+.78+.56)/9 = 1.48/9 = .164444,
	// ECE20 = (|1-.7| + |0-.5| + |0-.4|)/3 = 1.2/3 = .4
	dists := [][]float64{{0.7, 0.2, 0.1}, {0.2, 0.5, 0.3}, {0.4, 0.4, 0.2}}
	gold := []int{0, 2, 1}
	m, err := EvaluateChoices(dists, gold)
	if err != nil {
		t.Fatal(err)
	}
	if m.N != 3 {
		t.Errorf("N = %d", m.N)
	}
	near(t, "Top1", m.Top1, 1.0/3, 1e-12)
	near(t, "Top2", m.Top2, 1, 1e-12)
	near(t, "MeanRank", m.MeanRank, 1.5, 1e-12)
	near(t, "Brier", m.Brier, 1.48/9, 1e-12)
	near(t, "ECE20", m.ECE20, 0.4, 1e-12)
}

func TestEvaluateChoicesTop2Ties(t *testing.T) {
	t.Parallel()
	// [.3 .3 .3 .1], gold 2: two candidates (0 and 1) come before it in
	// (prob desc, index asc) order -> not top2; rank 1 + 0 + 2/2 = 2.
	// Mixed sizes: [1], gold 0 -> rank 1, brier 0.
	// Brier = (.09+.09+.49+.01 + 0)/5 = .68/5 = .136
	m, err := EvaluateChoices([][]float64{{0.3, 0.3, 0.3, 0.1}, {1}}, []int{2, 0})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "Top1", m.Top1, 0.5, 1e-12)
	near(t, "Top2", m.Top2, 0.5, 1e-12)
	near(t, "MeanRank", m.MeanRank, 1.5, 1e-12)
	near(t, "Brier", m.Brier, 0.136, 1e-12)
}

func TestEvaluateChoicesErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		dists [][]float64
		gold  []int
	}{
		{"length mismatch", [][]float64{{0.5, 0.5}}, []int{0, 1}},
		{"gold negative", [][]float64{{0.5, 0.5}}, []int{-1}},
		{"gold too large", [][]float64{{0.5, 0.5}}, []int{2}},
		{"empty distribution", [][]float64{{}}, []int{0}},
		{"NaN", [][]float64{{math.NaN(), 0.5}}, []int{0}},
	}
	for _, tc := range tests {
		if _, err := EvaluateChoices(tc.dists, tc.gold); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", tc.name, err)
		}
	}
	if m, err := EvaluateChoices(nil, nil); err != nil || m.N != 0 {
		t.Errorf("empty: %+v, %v", m, err)
	}
}

// A flat or near-flat top is an abstention, not a hit for whichever gold
// candidate happens to be listed first.
func TestEvaluateChoicesTiedTopIsNotAHit(t *testing.T) {
	t.Parallel()
	dists := [][]float64{
		{0.25, 0.25, 0.25, 0.25},
		{0.5, 0.5 - 1e-12, 0},
		{0.6, 0.4, 0},
	}
	m, err := EvaluateChoices(dists, []int{0, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	if want := 1.0 / 3; math.Abs(m.Top1-want) > 1e-12 {
		t.Fatalf("Top1 = %v, want %v (only the clear argmax counts)", m.Top1, want)
	}
}
