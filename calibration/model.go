package calibration

import (
	"fmt"
	"math"
)

// probEps bounds every calibrated probability into [probEps, 1-probEps].
// No realistic amount of judge outcomes justifies claiming more than 99.9%
// (or less than 0.1%), and keeping away from 0 and 1 keeps log loss finite
// and the stored parameters JSON-encodable.
const probEps = 1e-3

// Model is a fitted calibrator. Only the fields of its Method are set. All
// fields are exported and plain numbers so that the model round-trips through
// encoding/json exactly (Go encodes float64 in the shortest form that parses
// back to the same bits); the store keeps it as JSON.
type Model struct {
	Method  Method  `json:"method"`
	Options Options `json:"options"` // as used by the fit, defaults filled in

	// TrainN and TrainCorrect describe the outcomes the model was fitted on
	// (for reports; Predict does not read them).
	TrainN       int `json:"train_n"`
	TrainCorrect int `json:"train_correct"`

	// Histogram: BinProbs[i] is the smoothed accuracy predicted for
	// confidence in [i/B, (i+1)/B) (the last bin includes 1); BinCounts[i]
	// is how many training samples fell in it.
	BinProbs  []float64 `json:"bin_probs,omitempty"`
	BinCounts []int     `json:"bin_counts,omitempty"`

	// Isotonic: the knots of a non-decreasing interpolant, Knots ascending
	// (confidence) and Values non-decreasing (probability).
	Knots  []float64 `json:"knots,omitempty"`
	Values []float64 `json:"values,omitempty"`

	// Platt: p = sigmoid(Weights·x + Bias), x as built by plattFeatures.
	Weights []float64 `json:"weights,omitempty"`
	Bias    float64   `json:"bias,omitempty"`

	// Base rate: the probability predicted for every judgment.
	Constant float64 `json:"constant,omitempty"`

	// Venn-Abers: the interval ends at each of Knots (ascending).
	P0 []float64 `json:"p0,omitempty"`
	P1 []float64 `json:"p1,omitempty"`

	// Selection is the evidence for high-certainty thresholds at any target
	// (FitSelected); nil for a model fitted by Fit alone.
	Selection *Selection `json:"selection,omitempty"`
}

// Fit fits a calibrator of the given method on labelled samples.
//
// It fails on an unknown method, no samples, negative Options.Bins, or a
// NaN/out-of-range value in a field the method reads (the error names the
// sample index and field). The fit is deterministic.
func Fit(method Method, samples []Sample, opts Options) (*Model, error) {
	if !method.valid() {
		return nil, fmt.Errorf("%w %q (allowed: %s)", ErrUnknownMethod, method, allowedMethods())
	}
	opts, err := opts.normalized()
	if err != nil {
		return nil, err
	}
	if err := validateSamples(method, samples, opts); err != nil {
		return nil, err
	}
	m := &Model{Method: method, Options: opts, TrainN: len(samples)}
	for _, s := range samples {
		if s.Correct {
			m.TrainCorrect++
		}
	}
	switch method {
	case MethodHistogram:
		m.BinProbs, m.BinCounts = fitHistogram(samples, opts.Bins, Prior)
	case MethodIsotonic:
		m.Knots, m.Values = fitIsotonic(samples, Prior)
	case MethodPlatt:
		m.Weights, m.Bias = fitPlatt(samples, opts)
	case MethodBaseRate:
		m.Constant = fitBaseRate(samples)
	case MethodVennAbers:
		m.Knots, m.P0, m.P1 = fitVennAbers(samples)
	}
	return m, nil
}

// Predict returns the calibrated probability that the judgment s is right,
// in [0.001, 0.999]. Inputs are clamped into [0,1] and NaN counts as 0 (the
// most conservative reading), because prediction sits on the serving path
// and must not fail. A model that does not pass Validate falls back to the
// clamped raw confidence.
func (m *Model) Predict(s Sample) float64 {
	p := clamp01(s.Confidence)
	if m != nil && m.Validate() == nil {
		switch m.Method {
		case MethodHistogram:
			p = predictHistogram(m.BinProbs, p)
		case MethodIsotonic:
			p = predictIsotonic(m.Knots, m.Values, p)
		case MethodPlatt:
			p = sigmoid(dot(m.Weights, plattFeatures(s, m.Options)) + m.Bias)
		case MethodBaseRate:
			p = m.Constant
		case MethodVennAbers:
			p = vennAbersMerge(vennAbersInterval(m.Knots, m.P0, m.P1, p))
		}
	}
	return clamp(p, probEps, 1-probEps)
}

// PredictInterval returns the Venn-Abers interval [p0, p1] that brackets
// the probability that s is right, ok false for every other method (they
// give a point only) and for an unusable model.
func (m *Model) PredictInterval(s Sample) (p0, p1 float64, ok bool) {
	if m == nil || m.Method != MethodVennAbers || m.Validate() != nil {
		return 0, 0, false
	}
	p0, p1 = vennAbersInterval(m.Knots, m.P0, m.P1, clamp01(s.Confidence))
	return p0, p1, true
}

// Validate checks that a model (typically decoded from JSON) is usable: a
// known method and parameters of consistent length with finite values.
func (m *Model) Validate() error {
	if m == nil {
		return fmt.Errorf("%w: nil model", ErrInvalidInput)
	}
	bad := func(what string) error {
		return fmt.Errorf("%w: %s model: %s", ErrInvalidInput, m.Method, what)
	}
	switch m.Method {
	case MethodHistogram:
		if len(m.BinProbs) == 0 || len(m.BinProbs) != m.Options.Bins {
			return bad("BinProbs length does not match Options.Bins")
		}
		if !allUnit(m.BinProbs) {
			return bad("BinProbs outside [0,1]")
		}
	case MethodIsotonic:
		if len(m.Knots) == 0 || len(m.Knots) != len(m.Values) {
			return bad("Knots and Values must be non-empty and of equal length")
		}
		if !allUnit(m.Knots) || !allUnit(m.Values) {
			return bad("Knots or Values outside [0,1]")
		}
		for i := 1; i < len(m.Knots); i++ {
			if m.Knots[i] < m.Knots[i-1] || m.Values[i] < m.Values[i-1] {
				return bad("Knots or Values not sorted ascending")
			}
		}
	case MethodPlatt:
		if len(m.Weights) != plattDim(m.Options) {
			return bad("Weights length does not match the options")
		}
		finite := !math.IsNaN(m.Bias) && !math.IsInf(m.Bias, 0)
		for _, w := range m.Weights {
			finite = finite && !math.IsNaN(w) && !math.IsInf(w, 0)
		}
		if !finite {
			return bad("non-finite parameter")
		}
	case MethodBaseRate:
		if !allUnit([]float64{m.Constant}) {
			return bad("Constant outside [0,1]")
		}
	case MethodVennAbers:
		if len(m.Knots) == 0 || len(m.Knots) != len(m.P0) || len(m.Knots) != len(m.P1) {
			return bad("Knots, P0 and P1 must be non-empty and of equal length")
		}
		if !allUnit(m.Knots) || !allUnit(m.P0) || !allUnit(m.P1) {
			return bad("Knots, P0 or P1 outside [0,1]")
		}
		for i := range m.Knots {
			if m.P0[i] > m.P1[i] || (i > 0 && m.Knots[i] <= m.Knots[i-1]) {
				return bad("Knots not ascending or P0 above P1")
			}
		}
	default:
		return fmt.Errorf("%w %q (allowed: %s)", ErrUnknownMethod, m.Method, allowedMethods())
	}
	if m.Selection != nil {
		return m.Selection.validate()
	}
	return nil
}

func allUnit(xs []float64) bool {
	for _, x := range xs {
		if !(x >= 0 && x <= 1) { // also false for NaN
			return false
		}
	}
	return true
}
