package calibration

import (
	"fmt"
	"math/rand/v2"
)

// Basis names the score a high-certainty cut is made on.
type Basis string

const (
	// BasisConfidence cuts on the raw (identity-mapped) confidence, which
	// nothing was fitted to, so the fixed sequence may run over every
	// outcome. Used for calibrators of confidence alone.
	BasisConfidence Basis = "confidence"
	// BasisCalibrated cuts on the calibrated probability of a model fitted
	// on one part of a split, with the table built on the other part. Used
	// for calibrators over several features, whose score is itself fitted.
	BasisCalibrated Basis = "calibrated"
)

// Selection is what a server keeps to certify a high-certainty threshold
// for any target precision at request time: the score the cut is made on,
// the kept-set table over the outcomes it is tested on, and the target the
// fit reported (the default when a request names none).
type Selection struct {
	Basis  Basis     `json:"basis"`
	N      int       `json:"n"`
	Target float64   `json:"target"`
	Table  []KeptRow `json:"table"`
}

// Choose certifies a threshold at target by the fixed sequence (default
// risk and minimum kept set) over the stored table.
func (s *Selection) Choose(target float64) (FixedSequenceResult, error) {
	return FixedSequence{Target: target}.ChooseTable(s.Table, s.N)
}

// Score is the value of s's basis for one judgment, compared with a chosen
// threshold: the clamped confidence, or the model's calibrated probability.
func (s *Selection) Score(m *Model, smp Sample) float64 {
	if s.Basis == BasisCalibrated {
		return m.Predict(smp)
	}
	return clamp01(smp.Confidence)
}

func (s *Selection) validate() error {
	if s.Basis != BasisConfidence && s.Basis != BasisCalibrated {
		return fmt.Errorf("%w: selection basis %q", ErrInvalidInput, s.Basis)
	}
	if !(s.Target > 0.5 && s.Target < 1) {
		return fmt.Errorf("%w: selection target %v is not in (0.5, 1)", ErrInvalidInput, s.Target)
	}
	return validateTable(s.Table, s.N)
}

// MultiFeature reports whether a method with these options reads more than
// the confidence, so that its calibrated probability is a fitted score and
// not a monotone map of one that nothing was fitted to.
func MultiFeature(method Method, opts Options) bool {
	return method == MethodPlatt && (opts.UseConsistency || opts.UseLogprob)
}

// selectionStream separates the split's random stream from the folds'.
const selectionStream = 0x2545f4914f6cdd1d

// FitSelected fits a calibrator and the evidence for its high-certainty
// thresholds, so that the fixed sequence's guarantee holds (see doc.go):
//
//   - a calibrator of confidence alone is fitted on every sample, and the
//     table is built on the raw confidence of every sample. Nothing was
//     fitted to the confidence, so the scores are independent of the
//     outcomes they are tested on; a monotone calibrated map keeps the
//     same sets, and the cut is served on the confidence so that a map
//     with plateaus (isotonic blocks) cannot widen it;
//   - a multi-feature calibrator is fitted on a seeded half of the samples
//     and the table is built from its calibrated probabilities on the
//     other half; the served model is the one fitted on the first half, so
//     the certified cut applies to exactly the scores it was tested on.
//
// target is the fit's reported target, the default at serving.
func FitSelected(method Method, samples []Sample, opts Options, target float64, seed uint64) (*Model, error) {
	if !(target > 0.5 && target < 1) {
		return nil, fmt.Errorf("%w: target precision %v is not in (0.5, 1)", ErrInvalidInput, target)
	}
	if !MultiFeature(method, opts) {
		m, err := Fit(method, samples, opts)
		if err != nil {
			return nil, err
		}
		scores := make([]float64, len(samples))
		correct := make([]bool, len(samples))
		for i, s := range samples {
			scores[i], correct[i] = clamp01(s.Confidence), s.Correct
		}
		m.Selection = &Selection{Basis: BasisConfidence, N: len(samples), Target: target, Table: KeptTable(scores, correct)}
		return m, nil
	}
	if len(samples) < 4 {
		return nil, fmt.Errorf("%w: %d samples cannot be split to fit and to choose a threshold", ErrInvalidInput, len(samples))
	}
	perm := rand.New(rand.NewPCG(seed, selectionStream)).Perm(len(samples))
	half := len(samples) / 2
	fit := make([]Sample, 0, half)
	for _, i := range perm[:half] {
		fit = append(fit, samples[i])
	}
	m, err := Fit(method, fit, opts)
	if err != nil {
		return nil, err
	}
	test := perm[half:]
	scores := make([]float64, len(test))
	correct := make([]bool, len(test))
	for j, i := range test {
		scores[j], correct[j] = m.Predict(samples[i]), samples[i].Correct
	}
	m.Selection = &Selection{Basis: BasisCalibrated, N: len(test), Target: target, Table: KeptTable(scores, correct)}
	return m, nil
}
