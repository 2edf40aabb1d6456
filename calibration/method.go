package calibration

import (
	"fmt"
	"strings"
)

// Method names a calibration map. The string values are stored with fitted
// models and accepted from configuration, so they never change.
type Method string

const (
	// MethodHistogram is equal-width histogram binning (10 bins by default).
	// Each bin predicts its smoothed accuracy; see histogram.go.
	MethodHistogram Method = "histogram"
	// MethodIsotonic is isotonic regression by pool adjacent violators;
	// see isotonic.go.
	MethodIsotonic Method = "isotonic"
	// MethodPlatt is logistic regression on logit(confidence), optionally
	// with position consistency and logprob confidence; see platt.go.
	MethodPlatt Method = "platt"
	// MethodBaseRate predicts the training base rate for every judgment:
	// the reference a calibrator must beat, and the right map for a judge
	// whose certainty says nothing; see base_rate.go.
	MethodBaseRate Method = "base_rate"
	// MethodVennAbers is inductive Venn-Abers over isotonic regression: a
	// probability with an interval [p0, p1]; see venn_abers.go.
	MethodVennAbers Method = "venn_abers"
)

// Methods lists the allowed methods in a stable order (for help texts and
// error messages).
var Methods = []Method{MethodHistogram, MethodIsotonic, MethodPlatt, MethodBaseRate, MethodVennAbers}

// ParseMethod parses a method name; surrounding space and case are ignored.
// An unknown name yields an error (wrapping ErrUnknownMethod) that lists the
// allowed values.
func ParseMethod(s string) (Method, error) {
	m := Method(strings.ToLower(strings.TrimSpace(s)))
	if m.valid() {
		return m, nil
	}
	return "", fmt.Errorf("%w %q (allowed: %s)", ErrUnknownMethod, s, allowedMethods())
}

func (m Method) valid() bool {
	for _, v := range Methods {
		if m == v {
			return true
		}
	}
	return false
}

func allowedMethods() string {
	names := make([]string, len(Methods))
	for i, m := range Methods {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
}

// DefaultBins is the number of histogram bins when Options.Bins is 0.
const DefaultBins = 10

// Options tunes a fit. The zero value is valid: 10 histogram bins and Platt
// on confidence alone.
type Options struct {
	Bins           int  `json:"bins,omitempty"`            // histogram bins; 0 -> 10
	UseConsistency bool `json:"use_consistency,omitempty"` // Platt only
	UseLogprob     bool `json:"use_logprob,omitempty"`     // Platt only
}

// normalized returns the options with defaults filled in, so that a stored
// model says exactly how it was fitted.
func (o Options) normalized() (Options, error) {
	if o.Bins < 0 {
		return o, fmt.Errorf("%w: Bins %d is negative", ErrInvalidInput, o.Bins)
	}
	if o.Bins == 0 {
		o.Bins = DefaultBins
	}
	return o, nil
}
