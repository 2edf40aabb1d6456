package calibration

import (
	"math"
	"slices"
)

// Inductive Venn-Abers over isotonic regression (Vovk and Petej, 2014).
//
// For a new judgment with confidence x, isotonic regression is fitted twice
// on the calibration outcomes plus the new point, once labelled wrong and
// once labelled right; the two fitted values at x are p0 <= p1. The pair is
// a multiprobability prediction: under exchangeability one of the two is
// calibrated, so [p0, p1] brackets the probability of being right, and its
// width says how much evidence stands behind it (wide where few outcomes
// share the judge's certainty, narrow where many do). The single probability
// is p1 / (1 - p0 + p1), the minimiser of the worst-case log loss.
//
// The scoring function is the raw confidence itself, which nothing was
// fitted to, so the whole training set serves as the calibration set and no
// proper-training split is needed. Because a judge states a certainty on a
// 1-100 scale, p0 and p1 are computed at fit time for every training
// confidence and every point of a 1/198 grid (which holds every certainty
// 1-100 for two or more options within 1/198) and interpolated between
// them, so prediction is a lookup on the serving path. (Continuous scores
// with more distinct values than the grid are served from the grid alone,
// which bounds the fit's cost.)

// vennAbersGrid is the number of grid steps on [0,1] besides the training
// confidences.
const vennAbersGrid = 198

// fitVennAbers returns the knots (ascending confidence) and p0, p1 at each.
func fitVennAbers(samples []Sample) (knots, p0, p1 []float64) {
	type point struct{ x, sum, weight float64 }
	byX := map[float64]*point{}
	for _, s := range samples {
		p := byX[s.Confidence]
		if p == nil {
			p = &point{x: s.Confidence}
			byX[s.Confidence] = p
		}
		p.weight++
		if s.Correct {
			p.sum++
		}
	}
	xs := make([]float64, 0, len(byX)+vennAbersGrid+1)
	if len(byX) <= vennAbersGrid+1 { // a stated-certainty scale: exact at each
		for x := range byX {
			xs = append(xs, x)
		}
	}
	for i := 0; i <= vennAbersGrid; i++ {
		xs = append(xs, float64(i)/vennAbersGrid)
	}
	slices.Sort(xs)
	xs = slices.Compact(xs)

	pts := make([]point, 0, len(byX))
	for _, p := range byX {
		pts = append(pts, *p)
	}
	slices.SortFunc(pts, func(a, b point) int { return cmpFloat(a.x, b.x) })

	// For each knot: the training points with the new point merged in at
	// its place, then plain PAV (no shrinkage: the validity is Venn-Abers'
	// own), and the fitted value at the new point.
	at := func(x float64, label float64) float64 {
		sums := make([]float64, 0, len(pts)+1)
		ws := make([]float64, 0, len(pts)+1)
		target := -1
		for _, p := range pts {
			if target < 0 && x <= p.x {
				target = len(ws)
				if x == p.x {
					sums, ws = append(sums, p.sum+label), append(ws, p.weight+1)
					continue
				}
				sums, ws = append(sums, label), append(ws, 1)
			}
			sums, ws = append(sums, p.sum), append(ws, p.weight)
		}
		if target < 0 {
			target = len(ws)
			sums, ws = append(sums, label), append(ws, 1)
		}
		return pavValueAt(sums, ws, target)
	}
	for _, x := range xs {
		knots = append(knots, x)
		p0 = append(p0, at(x, 0))
		p1 = append(p1, at(x, 1))
	}
	return knots, p0, p1
}

// pavValueAt runs pool adjacent violators on weighted points (sums of
// outcomes and weights, in ascending order of the score) and returns the
// fitted mean of the block holding point i.
func pavValueAt(sums, ws []float64, i int) float64 {
	type block struct {
		sum, w float64
		end    int // index of the last point in the block
	}
	var blocks []block
	for j := range sums {
		blocks = append(blocks, block{sums[j], ws[j], j})
		for n := len(blocks); n >= 2 && blocks[n-2].sum/blocks[n-2].w >= blocks[n-1].sum/blocks[n-1].w; n = len(blocks) {
			blocks[n-2] = block{blocks[n-2].sum + blocks[n-1].sum, blocks[n-2].w + blocks[n-1].w, blocks[n-1].end}
			blocks = blocks[:n-1]
		}
	}
	for _, b := range blocks {
		if i <= b.end {
			return b.sum / b.w
		}
	}
	return math.NaN() // unreachable: i is a point index
}

// vennAbersInterval interpolates p0 and p1 at x.
func vennAbersInterval(knots, p0, p1 []float64, x float64) (float64, float64) {
	return predictIsotonic(knots, p0, x), predictIsotonic(knots, p1, x)
}

// vennAbersMerge is the single probability of an interval.
func vennAbersMerge(p0, p1 float64) float64 { return p1 / (1 - p0 + p1) }
