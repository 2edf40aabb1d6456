package calibration

import (
	"fmt"
	"math"
)

// Sample is one labelled judgment.
type Sample struct {
	Confidence  float64 `json:"confidence"`  // probability-like confidence in [0,1] (e.g. identity-mapped certainty)
	Consistency float64 `json:"consistency"` // position consistency in [0,1]; used only by Platt when UseConsistency
	Logprob     float64 `json:"logprob"`     // logprob-derived confidence in [0,1]; used only by Platt when UseLogprob
	Correct     bool    `json:"correct"`
}

// validateSamples checks the fields a fit with these options will read.
// Fields the fit ignores are not checked, so a caller may leave Logprob NaN
// ("not available") when UseLogprob is off. The error names the index and
// field so a bad outcome row can be found.
func validateSamples(method Method, samples []Sample, opts Options) error {
	if len(samples) == 0 {
		return ErrNoSamples
	}
	useCons := method == MethodPlatt && opts.UseConsistency
	useLP := method == MethodPlatt && opts.UseLogprob
	for i, s := range samples {
		if err := checkUnit(i, "Confidence", s.Confidence); err != nil {
			return err
		}
		if useCons {
			if err := checkUnit(i, "Consistency", s.Consistency); err != nil {
				return err
			}
		}
		if useLP {
			if err := checkUnit(i, "Logprob", s.Logprob); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkUnit reports whether v is a finite number in [0,1].
func checkUnit(i int, field string, v float64) error {
	if math.IsNaN(v) {
		return fmt.Errorf("%w: sample %d: %s is NaN", ErrInvalidInput, i, field)
	}
	if v < 0 || v > 1 {
		return fmt.Errorf("%w: sample %d: %s %v is not in [0,1]", ErrInvalidInput, i, field, v)
	}
	return nil
}
