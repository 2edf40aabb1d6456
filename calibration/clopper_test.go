package calibration

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mathext"
)

// binomialUpperTail is P(X >= k) for X ~ Binomial(n, p), summed term by term
// in log space: the definition the Clopper-Pearson lower bound inverts
// (P(X >= k | p_L) = alpha), independent of the incomplete beta function.
func binomialUpperTail(k, n int, p float64) float64 {
	lg := func(x int) float64 { v, _ := math.Lgamma(float64(x)); return v }
	var sum float64
	for j := k; j <= n; j++ {
		lc := lg(n+1) - lg(j+1) - lg(n-j+1)
		sum += math.Exp(lc + float64(j)*math.Log(p) + float64(n-j)*math.Log1p(-p))
	}
	return sum
}

func TestClopperPearsonLowerExact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		k, n  int
		alpha float64
		want  float64
	}{
		// k = n: Beta(n,1) has CDF x^n, so the bound is alpha^(1/n).
		// 0.05^(1/10) = exp(ln(0.05)/10) = exp(-0.299573) = 0.741134
		{"k=n=10", 10, 10, 0.05, math.Pow(0.05, 0.1)},
		{"k=n=10 decimal", 10, 10, 0.05, 0.741134449106948},
		// 0.05^(1/100) = exp(-0.0299573) = 0.970487
		{"k=n=100", 100, 100, 0.05, 0.97048695039296},
		// k = 1: Beta(1,n) has CDF 1-(1-x)^n, so the bound is 1-(1-alpha)^(1/n).
		// 1 - 0.95^(1/10) = 1 - exp(ln(.95)/10) = 1 - 0.994884 = 0.005116
		{"k=1 n=10", 1, 10, 0.05, 1 - math.Pow(0.95, 0.1)},
		// k=n=1: Beta(1,1) is uniform, bound = alpha.
		{"k=n=1", 1, 1, 0.1, 0.1},
		// The next three were found by bisection on the binomial tail with
		// 30-digit arithmetic (mpmath): sum_{j>=k} C(n,j) p^j (1-p)^(n-j) = 0.05.
		{"k=45 n=50", 45, 50, 0.05, 0.801166997483582},
		{"k=98 n=100", 98, 100, 0.05, 0.938380799603959},
		{"k=9 n=10", 9, 10, 0.05, 0.605836697563495},
		// Degenerate inputs.
		{"k=0", 0, 10, 0.05, 0},
		{"n=0", 0, 0, 0.05, 0},
		{"k>n reads as n", 12, 10, 0.05, math.Pow(0.05, 0.1)},
		{"alpha=0", 5, 10, 0, 0},
		{"alpha NaN", 5, 10, math.NaN(), 0},
		{"alpha=1", 5, 10, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			near(t, "bound", ClopperPearsonLower(tc.k, tc.n, tc.alpha), tc.want, 1e-9)
		})
	}
}

func TestClopperPearsonLowerInvertsTail(t *testing.T) {
	t.Parallel()
	// k = n-1: Beta(n-1,2) has CDF n x^(n-1) - (n-1) x^n; at the bound for
	// k=9, n=10 it must equal alpha: 10 x^9 - 9 x^10 = 0.05.
	x := ClopperPearsonLower(9, 10, 0.05)
	near(t, "10x^9-9x^10", 10*math.Pow(x, 9)-9*math.Pow(x, 10), 0.05, 1e-12)

	for _, c := range []struct{ k, n int }{{45, 50}, {98, 100}, {148, 200}, {3, 7}, {500, 520}} {
		x := ClopperPearsonLower(c.k, c.n, 0.05)
		near(t, "binomial tail at bound", binomialUpperTail(c.k, c.n, x), 0.05, 1e-9)
		near(t, "I_x(k, n-k+1)", mathext.RegIncBeta(float64(c.k), float64(c.n-c.k+1), x), 0.05, 1e-12)
	}
}
