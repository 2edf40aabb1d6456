package calibration

import (
	"fmt"
	"math/rand/v2"
)

// crossFitStream is the PCG stream constant; fixed so that a seed alone
// determines the folds.
const crossFitStream = 0x9e3779b97f4a7c15

// CrossFit returns out-of-fold predictions: the samples are shuffled (PCG
// seeded with seed) and dealt into `folds` folds of near-equal size; for each
// fold a model is fitted on the other folds and predicts that fold. So every
// returned probability, aligned with samples, comes from a model that never
// saw that sample -- the only honest input to Evaluate and
// HighCertaintyThreshold on the same outcomes. Deterministic for a seed.
//
// folds < 2 or fewer samples than folds is an error, as is anything Fit
// rejects (the whole set is validated first, so indices refer to samples).
func CrossFit(method Method, samples []Sample, opts Options, folds int, seed uint64) ([]float64, error) {
	if folds < 2 {
		return nil, fmt.Errorf("%w: %d folds; need at least 2", ErrInvalidInput, folds)
	}
	if len(samples) < folds {
		return nil, fmt.Errorf("%w: %d samples for %d folds", ErrInvalidInput, len(samples), folds)
	}
	if !method.valid() {
		return nil, fmt.Errorf("%w %q (allowed: %s)", ErrUnknownMethod, method, allowedMethods())
	}
	norm, err := opts.normalized()
	if err != nil {
		return nil, err
	}
	if err := validateSamples(method, samples, norm); err != nil {
		return nil, err
	}

	fold := foldAssignment(len(samples), folds, seed)
	out := make([]float64, len(samples))
	train := make([]Sample, 0, len(samples))
	for f := range folds {
		train = train[:0]
		for i, s := range samples {
			if fold[i] != f {
				train = append(train, s)
			}
		}
		m, err := Fit(method, train, opts)
		if err != nil {
			return nil, fmt.Errorf("calibration: fold %d: %w", f, err)
		}
		for i, s := range samples {
			if fold[i] == f {
				out[i] = m.Predict(s)
			}
		}
	}
	return out, nil
}

// Folds is the fold of each of n samples that CrossFit uses for the same
// folds and seed, so reports can score each fold apart.
func Folds(n, folds int, seed uint64) []int { return foldAssignment(n, folds, seed) }

// foldAssignment deals a seeded permutation of 0..n-1 round-robin into
// folds, so fold sizes differ by at most one and none is empty when n >= folds.
func foldAssignment(n, folds int, seed uint64) []int {
	perm := rand.New(rand.NewPCG(seed, crossFitStream)).Perm(n)
	fold := make([]int, n)
	for pos, i := range perm {
		fold[i] = pos % folds
	}
	return fold
}
