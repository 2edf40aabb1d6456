package calibration

import (
	"slices"

	"github.com/personajudge/personajudge/stats"
)

// HeldOut is what a report says about out-of-fold probabilities beyond
// Evaluate's pooled metrics.
//
// ECE is measured fold by fold and averaged (weighted by fold size). Pooled
// over folds, ECE hides each fold's miss: a calibrator that pools to one
// block predicts each fold the other folds' base rate, those predictions
// average to the overall accuracy almost exactly, and the pooled ECE comes
// out near 0 although every fold misses its own accuracy by the sampling
// error that a true held-out split shows. Per fold, that miss is counted.
type HeldOut struct {
	N int `json:"n"`
	// ECE10 is the fold-wise 10-bin ECE with a percentile bootstrap
	// interval over items (each keeps its fold).
	ECE10 stats.Estimate `json:"ece10"`
	// BrierSkillBase is 1 - Brier/Brier_base, the reference the
	// out-of-fold base rate (each fold predicted the other folds'
	// accuracy): > 0 tells right from wrong better than the accuracy alone.
	BrierSkillBase float64 `json:"brier_skill_base"`
	// BrierSkillIdentity is 1 - Brier/Brier_identity, the reference the
	// identity-mapped confidence: > 0 means fitting helped.
	BrierSkillIdentity float64 `json:"brier_skill_identity"`
	AUROC              float64 `json:"auroc"`
}

// EvaluateHeldOut scores out-of-fold probabilities oof against their
// outcomes; raw is the identity-mapped confidence and fold the fold of each
// item (Folds). It panics on mismatched lengths, like the metrics.
func EvaluateHeldOut(raw, oof []float64, correct []bool, fold []int, boot stats.BootstrapOptions) HeldOut {
	mustSameLen(raw, correct)
	mustSameLen(oof, correct)
	if len(fold) != len(correct) {
		panic("calibration: fold assignment of another length")
	}
	h := HeldOut{N: len(oof), AUROC: AUROC(oof, correct)}
	base := outOfFoldBase(correct, fold)
	h.BrierSkillBase = skill(Brier(oof, correct), Brier(base, correct))
	h.BrierSkillIdentity = skill(Brier(oof, correct), Brier(raw, correct))
	h.ECE10 = stats.Bootstrap(len(oof), func(idx []int) float64 {
		return foldedECE(oof, correct, fold, idx, 10)
	}, boot)
	return h
}

// outOfFoldBase predicts each item the accuracy of the other folds.
func outOfFoldBase(correct []bool, fold []int) []float64 {
	var n, k int
	nf, kf := map[int]int{}, map[int]int{}
	for i, c := range correct {
		n++
		nf[fold[i]]++
		if c {
			k++
			kf[fold[i]]++
		}
	}
	out := make([]float64, len(correct))
	for i := range correct {
		if rest := n - nf[fold[i]]; rest > 0 {
			out[i] = float64(k-kf[fold[i]]) / float64(rest)
		} else {
			out[i] = float64(k) / float64(n)
		}
	}
	return out
}

// foldedECE is the size-weighted mean over folds of each fold's ECE, over
// the items idx (repeats allowed, as a bootstrap draws them).
func foldedECE(probs []float64, correct []bool, fold []int, idx []int, bins int) float64 {
	byFold := map[int][]int{}
	for _, i := range idx {
		byFold[fold[i]] = append(byFold[fold[i]], i)
	}
	keys := make([]int, 0, len(byFold))
	for f := range byFold {
		keys = append(keys, f)
	}
	slices.Sort(keys) // a fixed summation order: the same report every time
	var sum float64
	for _, f := range keys {
		items := byFold[f]
		p := make([]float64, len(items))
		c := make([]bool, len(items))
		for j, i := range items {
			p[j], c[j] = probs[i], correct[i]
		}
		sum += float64(len(items)) * ECE(p, c, bins)
	}
	if len(idx) == 0 {
		return 0
	}
	return sum / float64(len(idx))
}
