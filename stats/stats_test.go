package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestRanksAverageTies(t *testing.T) {
	t.Parallel()
	got := Ranks([]float64{4, 1, 4, 2, 4})
	want := []float64{4, 1, 4, 2, 4}
	if !slices.Equal(got, want) {
		t.Fatalf("Ranks = %v, want %v", got, want)
	}
}

// Reference values: scipy.stats' documented examples for tau-b and the
// first Spearman row; the rest worked by hand (ranks, then Pearson).
func TestCorrelations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		x, y           []float64
		spearman, tauB float64
	}{
		{"scipy spearman example", []float64{1, 2, 3, 4, 5}, []float64{5, 6, 7, 8, 7}, 0.8207826816681233, 0.7378647873726218},
		{"scipy kendall example", []float64{12, 2, 1, 12, 2}, []float64{1, 4, 7, 1, 0}, -0.5407380704358752, -0.47140452079103173},
		{"perfect", []float64{1, 2, 3}, []float64{10, 20, 30}, 1, 1},
		{"reversed", []float64{1, 2, 3}, []float64{3, 2, 1}, -1, -1},
		{"constant side", []float64{1, 2, 3}, []float64{4, 4, 4}, math.NaN(), math.NaN()},
		{"one pair", []float64{1}, []float64{2}, math.NaN(), math.NaN()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			check := func(what string, got, want float64) {
				if math.IsNaN(want) != math.IsNaN(got) || (!math.IsNaN(want) && !near(got, want, 1e-12)) {
					t.Errorf("%s = %v, want %v", what, got, want)
				}
			}
			check("Spearman", Spearman(tc.x, tc.y), tc.spearman)
			check("KendallTauB", KendallTauB(tc.x, tc.y), tc.tauB)
		})
	}
}

func TestMAE(t *testing.T) {
	t.Parallel()
	if got := MAE([]float64{1, 2, 5}, []float64{2, 2, 3}); !near(got, 1, 1e-15) {
		t.Fatalf("MAE = %v, want 1", got)
	}
	if !math.IsNaN(MAE(nil, nil)) || !math.IsNaN(MAE([]float64{1}, []float64{1, 2})) {
		t.Fatal("MAE of no data or unequal lengths must be NaN")
	}
}

func TestMeanEstimate(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, 400)
	for i := range xs {
		xs[i] = rng.NormFloat64() + 3
	}
	o := BootstrapOptions{Seed: 7}
	e := MeanEstimate(xs, o)
	if e.N != 400 || e.Level != DefaultLevel {
		t.Fatalf("N=%d level=%v", e.N, e.Level)
	}
	// The standard error is 1/sqrt(400) = 0.05, so the 95% interval spans
	// about 0.2 around the mean.
	if !(e.Lower < e.Value && e.Value < e.Upper) || !near(e.Upper-e.Lower, 0.196, 0.03) {
		t.Fatalf("interval %v..%v around %v", e.Lower, e.Upper, e.Value)
	}
	if again := MeanEstimate(xs, o); again != e {
		t.Fatalf("same seed gave %+v then %+v", e, again)
	}
	if empty := MeanEstimate(nil, o); !math.IsNaN(empty.Value) || !math.IsNaN(empty.Lower) {
		t.Fatalf("no data gave %+v", empty)
	}
}

func TestProportionEstimate(t *testing.T) {
	t.Parallel()
	hits := make([]bool, 200)
	for i := range 150 {
		hits[i] = true
	}
	e := ProportionEstimate(hits, BootstrapOptions{})
	if e.Value != 0.75 || !(e.Lower < 0.75 && e.Upper > 0.75) || e.Lower < 0.65 || e.Upper > 0.85 {
		t.Fatalf("proportion %+v", e)
	}
}

func TestPaired(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	n := 200
	a, same, worse := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range a {
		a[i] = 3 + rng.NormFloat64()*0.5
		same[i] = a[i] + rng.NormFloat64()*0.5
		worse[i] = a[i] - 0.3 + rng.NormFloat64()*0.5
	}
	o := BootstrapOptions{Seed: 11}
	c, err := Paired(a, worse, o)
	if err != nil {
		t.Fatal(err)
	}
	if c.PValue >= 0.01 || c.Diff.Upper >= 0 || c.Worse <= c.Better {
		t.Fatalf("a planted drop of 0.3 over %d pairs: %+v", n, c)
	}
	c, err = Paired(a, same, o)
	if err != nil {
		t.Fatal(err)
	}
	if c.PValue < 0.05 || !(c.Diff.Lower < 0 && c.Diff.Upper > 0) {
		t.Fatalf("no planted difference, yet %+v", c)
	}
	c, _ = Paired(a, a, o)
	if c.PValue != 1 || c.Better != 0 || c.Worse != 0 {
		t.Fatalf("identical runs: %+v", c)
	}
	if _, err := Paired(a, a[:3], o); err == nil {
		t.Fatal("unequal lengths must be an error")
	}
}

// The permutation p-value must be valid: under no difference it falls below
// 0.05 in about 5% of repetitions, not more.
func TestPairedPValueIsValid(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	const reps = 200
	rejections := 0
	for r := range reps {
		a, b := make([]float64, 40), make([]float64, 40)
		for i := range a {
			a[i], b[i] = rng.NormFloat64(), rng.NormFloat64()
		}
		c, _ := Paired(a, b, BootstrapOptions{Seed: uint64(r), Samples: 500})
		if c.PValue < 0.05 {
			rejections++
		}
	}
	// Binomial(200, 0.05) exceeds 20 with probability below 0.2%.
	if rejections > 20 {
		t.Fatalf("%d of %d null comparisons rejected at 0.05", rejections, reps)
	}
}

func TestQuantile(t *testing.T) {
	t.Parallel()
	xs := []float64{1, 2, 3, 4}
	for _, tt := range []struct{ p, want float64 }{{0, 1}, {1, 4}, {0.5, 2.5}, {1.0 / 3, 2}, {0.025, 1.075}} {
		if got := Quantile(xs, tt.p); !near(got, tt.want, 1e-12) {
			t.Errorf("Quantile(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if !math.IsNaN(Quantile(nil, 0.5)) {
		t.Error("Quantile of no data must be NaN")
	}
}
