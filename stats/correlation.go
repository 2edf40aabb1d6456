package stats

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// MAE is the mean absolute difference between x and y (equal lengths); NaN
// for no data.
func MAE(x, y []float64) float64 {
	if len(x) == 0 || len(x) != len(y) {
		return math.NaN()
	}
	var s float64
	for i := range x {
		s += math.Abs(x[i] - y[i])
	}
	return s / float64(len(x))
}

// Ranks gives each value its 1-based rank, tied values the mean of the ranks
// they span (so five items all scored 4 share one rank).
func Ranks(x []float64) []float64 {
	order := make([]int, len(x))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case x[a] < x[b]:
			return -1
		case x[a] > x[b]:
			return 1
		}
		return 0
	})
	r := make([]float64, len(x))
	for i := 0; i < len(order); {
		j := i
		for j+1 < len(order) && x[order[j+1]] == x[order[i]] {
			j++
		}
		mean := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[order[k]] = mean
		}
		i = j + 1
	}
	return r
}

// Spearman is the rank correlation of x and y: Pearson's correlation of
// their tie-averaged ranks. NaN when fewer than two pairs or either side is
// constant (no ordering to agree with).
func Spearman(x, y []float64) float64 {
	if len(x) < 2 || len(x) != len(y) || constant(x) || constant(y) {
		return math.NaN()
	}
	return stat.Correlation(Ranks(x), Ranks(y), nil)
}

// KendallTauB is Kendall's tau-b, which corrects for ties on either side:
// (concordant - discordant) / sqrt((n0 - tiesX) (n0 - tiesY)). Rubric scores
// on a 1-5 scale are mostly ties, where tau-a (gonum's stat.Kendall) is
// biased toward 0. NaN when either side is constant. O(n^2), fine for the
// thousands of items a report holds.
func KendallTauB(x, y []float64) float64 {
	n := len(x)
	if n < 2 || n != len(y) {
		return math.NaN()
	}
	var conc, disc, tieX, tieY float64
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			dx, dy := x[j]-x[i], y[j]-y[i]
			switch {
			case dx == 0 && dy == 0:
				tieX++
				tieY++
			case dx == 0:
				tieX++
			case dy == 0:
				tieY++
			case (dx > 0) == (dy > 0):
				conc++
			default:
				disc++
			}
		}
	}
	n0 := float64(n) * float64(n-1) / 2
	den := math.Sqrt((n0 - tieX) * (n0 - tieY))
	if den == 0 {
		return math.NaN()
	}
	return (conc - disc) / den
}

func constant(x []float64) bool {
	for _, v := range x[1:] {
		if v != x[0] {
			return false
		}
	}
	return true
}
