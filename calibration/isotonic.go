package calibration

import (
	"slices"
	"sort"
)

// Isotonic regression: the non-decreasing step function of confidence that
// best fits the 0/1 outcomes in squared error, found by pool adjacent
// violators (PAV). It assumes only that higher confidence is never less
// likely to be right, which is all we are willing to assume about a judge.
//
// Fitting: samples are sorted by confidence; samples with equal confidence
// are first pooled into one weighted point (so the result does not depend on
// their input order); then adjacent blocks are merged while a block's mean
// is >= the next one's (merging equal neighbours too, which gives fewer
// blocks and the same function).
//
// Prediction is piecewise linear through the knots: each block contributes
// a knot at its lowest and its highest confidence, both with the block mean.
// So the function is constant within a block, linear across the gap between
// two blocks (where no data says which block is right), and constant beyond
// the first and last knot. Linear rather than a pure step so that two
// confidences straddling a gap do not jump from one block to the next.
// Block means are clamped into [0.001, 0.999] at fit time, because a block of
// a few all-correct samples does not justify certainty.

// pavBlock is a run of pooled points.
type pavBlock struct {
	lo, hi float64 // lowest and highest confidence in the block
	sum    float64 // number of correct outcomes
	weight float64 // number of samples
}

func (b pavBlock) mean() float64 { return b.sum / b.weight }

// fitIsotonic returns the knots and values of the fitted interpolant.
func fitIsotonic(samples []Sample) (knots, values []float64) {
	type point struct {
		x float64
		y bool
	}
	pts := make([]point, len(samples))
	for i, s := range samples {
		pts[i] = point{s.Confidence, s.Correct}
	}
	slices.SortFunc(pts, func(a, b point) int {
		switch {
		case a.x < b.x:
			return -1
		case a.x > b.x:
			return 1
		}
		return 0
	})

	var blocks []pavBlock
	for i := 0; i < len(pts); {
		// Pool all points with this confidence into one block.
		b := pavBlock{lo: pts[i].x, hi: pts[i].x}
		for ; i < len(pts) && pts[i].x == b.lo; i++ {
			b.weight++
			if pts[i].y {
				b.sum++
			}
		}
		blocks = append(blocks, b)
		// Merge backwards while monotonicity is violated (or tied).
		for n := len(blocks); n >= 2 && blocks[n-2].mean() >= blocks[n-1].mean(); n = len(blocks) {
			prev, last := blocks[n-2], blocks[n-1]
			blocks[n-2] = pavBlock{lo: prev.lo, hi: last.hi, sum: prev.sum + last.sum, weight: prev.weight + last.weight}
			blocks = blocks[:n-1]
		}
	}

	for _, b := range blocks {
		v := clamp(b.mean(), probEps, 1-probEps)
		knots = append(knots, b.lo)
		values = append(values, v)
		if b.hi > b.lo {
			knots = append(knots, b.hi)
			values = append(values, v)
		}
	}
	return knots, values
}

// predictIsotonic evaluates the interpolant at x.
func predictIsotonic(knots, values []float64, x float64) float64 {
	n := len(knots)
	if x <= knots[0] {
		return values[0]
	}
	if x >= knots[n-1] {
		return values[n-1]
	}
	// j is the first knot > x; knots[j-1] <= x < knots[j].
	j := sort.Search(n, func(i int) bool { return knots[i] > x })
	x0, x1 := knots[j-1], knots[j]
	y0, y1 := values[j-1], values[j]
	if x1 == x0 {
		return y1
	}
	return y0 + (y1-y0)*(x-x0)/(x1-x0)
}
