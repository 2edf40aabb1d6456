package calibration

import "gonum.org/v1/gonum/stat/distuv"

// ClopperPearsonLower is the one-sided lower confidence bound, at level
// 1-alpha (alpha = 0.05 for 95%), on a binomial proportion with k successes
// in n trials: the alpha quantile of Beta(k, n-k+1), and 0 when k == 0.
//
// It is "exact" (it inverts the binomial tail, P(X >= k | p) = alpha,
// instead of using a normal approximation), so the guarantee holds for the
// small kept sets at high thresholds, which is where high_certainty lives.
//
// Out-of-range input is read rather than rejected, since a bound is often
// computed inline: n <= 0 or k <= 0 gives 0, k > n is treated as n,
// alpha <= 0 or NaN gives 0 (a 100% bound is vacuous) and alpha >= 1 gives 1.
func ClopperPearsonLower(k, n int, alpha float64) float64 {
	if n <= 0 || k <= 0 || !(alpha > 0) {
		return 0
	}
	if alpha >= 1 {
		return 1
	}
	k = min(k, n)
	q := distuv.Beta{Alpha: float64(k), Beta: float64(n - k + 1)}.Quantile(alpha)
	return clamp(q, 0, 1) // guard the special function's rounding
}
