package calibration

import (
	"fmt"
	"math"
)

// ChoiceMetrics summarises probability distributions over K candidates
// (role identification: which of K roles said this line).
type ChoiceMetrics struct {
	N        int     `json:"n"`
	Top1     float64 `json:"top1"`      // share with argmax == gold
	Top2     float64 `json:"top2"`      // share with gold among the two highest
	MeanRank float64 `json:"mean_rank"` // mean 1-based rank of gold, ties averaged
	Brier    float64 `json:"brier"`     // mean over all (item, candidate) entries of (p - onehot)^2
	ECE20    float64 `json:"ece20"`     // 20-bin ECE of the max probability vs top-1 correctness
}

// TieTolerance is how close two probabilities must be to count as tied, the
// same tolerance the role-identification judge abstains within.
const TieTolerance = 1e-9

// EvaluateChoices scores distributions dists[i] over candidates against the
// gold index gold[i].
//
//   - Top1/ECE20: the prediction is the argmax and its confidence the max.
//     A top shared within TieTolerance is no prediction (the judges abstain
//     on it) and counts as wrong, so a flat distribution never scores a hit
//     because gold happens to be listed first.
//   - Top2: candidates ordered by probability descending, ties by index
//     ascending; gold among the first two.
//   - MeanRank: 1 + (number of candidates strictly above gold) +
//     (number tied with gold, excluding gold)/2.
//   - Brier: the sum of (p - onehot)^2 over every entry of every item,
//     divided by the total number of entries (so items with more candidates
//     weigh more).
//
// Errors: mismatched lengths, an empty distribution, a gold index out of
// range, or a NaN/infinite probability. Distributions are not required to
// sum to 1. No items gives N = 0 and zero metrics.
func EvaluateChoices(dists [][]float64, gold []int) (ChoiceMetrics, error) {
	if len(dists) != len(gold) {
		return ChoiceMetrics{}, fmt.Errorf("%w: %d distributions but %d gold indices", ErrInvalidInput, len(dists), len(gold))
	}
	var m ChoiceMetrics
	m.N = len(dists)
	if m.N == 0 {
		return m, nil
	}
	maxProbs := make([]float64, m.N)
	top1 := make([]bool, m.N)
	var brierSum float64
	var entries int
	for i, d := range dists {
		g := gold[i]
		if len(d) == 0 {
			return ChoiceMetrics{}, fmt.Errorf("%w: item %d: empty distribution", ErrInvalidInput, i)
		}
		if g < 0 || g >= len(d) {
			return ChoiceMetrics{}, fmt.Errorf("%w: item %d: gold index %d out of range [0,%d)", ErrInvalidInput, i, g, len(d))
		}
		argmax, above, tied := 0, 0, 0
		for j, p := range d {
			if math.IsNaN(p) || math.IsInf(p, 0) {
				return ChoiceMetrics{}, fmt.Errorf("%w: item %d: probability %d is %v", ErrInvalidInput, i, j, p)
			}
			if p > d[argmax] {
				argmax = j
			}
			switch {
			case p > d[g]:
				above++
			case p == d[g] && j != g:
				tied++
			}
			diff := p
			if j == g {
				diff = p - 1
			}
			brierSum += diff * diff
		}
		entries += len(d)
		// Candidates ahead of gold in (prob desc, index asc) order.
		ahead := above
		for j := 0; j < g; j++ {
			if d[j] == d[g] {
				ahead++
			}
		}
		maxProbs[i] = d[argmax]
		topShared := 0
		for _, p := range d {
			if d[argmax]-p <= TieTolerance {
				topShared++
			}
		}
		top1[i] = argmax == g && topShared == 1
		if top1[i] {
			m.Top1++
		}
		if ahead < 2 {
			m.Top2++
		}
		m.MeanRank += 1 + float64(above) + float64(tied)/2
	}
	n := float64(m.N)
	m.Top1 /= n
	m.Top2 /= n
	m.MeanRank /= n
	m.Brier = brierSum / float64(entries)
	m.ECE20 = ECE(maxProbs, top1, 20)
	return m, nil
}
