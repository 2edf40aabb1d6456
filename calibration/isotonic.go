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
//
// Small samples: a block does not predict its raw mean but the mean shrunk
// toward the training base rate with Prior pseudo-outcomes,
//
//	(correct + Prior*base) / (n + Prior),
//
// and PAV compares these shrunk means when it decides to merge, so the
// fitted values are non-decreasing by construction (the loop leaves every
// adjacent pair strictly increasing). A block of a few all-correct outcomes
// therefore cannot claim near-certainty: n all-correct outcomes predict at
// most 1 - Prior*(1-base)/(n+Prior) (8 right at base 0.6 -> 0.778), while a
// block of hundreds is moved by well under a percentage point. Values are
// also clamped into [0.001, 0.999] (probEps).

// Prior is the weight, in pseudo-outcomes at the training base rate, that
// isotonic blocks and histogram bins are shrunk toward. Ten is fixed in
// advance: enough that a handful of outcomes cannot reach an extreme
// probability, small enough to be negligible next to the hundreds of
// outcomes a real block or bin holds.
const Prior = 10.0

// pavBlock is a run of pooled points.
type pavBlock struct {
	lo, hi float64 // lowest and highest confidence in the block
	sum    float64 // number of correct outcomes
	weight float64 // number of samples
}

// shrunk is the block mean shrunk toward base with prior pseudo-outcomes.
func (b pavBlock) shrunk(prior, base float64) float64 { return shrink(b.sum, b.weight, prior, base) }

// shrink is (k + prior*base) / (n + prior); Fit passes Prior.
func shrink(k, n, prior, base float64) float64 { return (k + prior*base) / (n + prior) }

// baseRate is the share of correct samples (0 for none).
func baseRate(samples []Sample) float64 {
	if len(samples) == 0 {
		return 0
	}
	var k int
	for _, s := range samples {
		if s.Correct {
			k++
		}
	}
	return float64(k) / float64(len(samples))
}

// fitIsotonic returns the knots and values of the fitted interpolant, block
// means shrunk with prior pseudo-outcomes (Fit passes Prior; 0 is plain PAV).
func fitIsotonic(samples []Sample, prior float64) (knots, values []float64) {
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

	base := baseRate(samples)
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
		for n := len(blocks); n >= 2 && blocks[n-2].shrunk(prior, base) >= blocks[n-1].shrunk(prior, base); n = len(blocks) {
			prev, last := blocks[n-2], blocks[n-1]
			blocks[n-2] = pavBlock{lo: prev.lo, hi: last.hi, sum: prev.sum + last.sum, weight: prev.weight + last.weight}
			blocks = blocks[:n-1]
		}
	}

	for _, b := range blocks {
		v := clamp(b.shrunk(prior, base), probEps, 1-probEps)
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
