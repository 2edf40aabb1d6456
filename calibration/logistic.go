package calibration

import (
	"fmt"
	"math"
)

// Logistic is a calibrator over any vector of features: p = sigmoid(w·x + b),
// fitted exactly as Platt scaling is (smoothed targets, a small L2 penalty on
// w, Newton's method), so it stays finite on separable data and on constant
// features. It is the building block for calibrators that combine several
// signals: the members of a judge panel, log-probabilities, consistency,
// agreement between prompt variants. Callers choose and scale the features
// (probability-like inputs are best passed through Logit first).
type Logistic struct {
	Weights []float64 `json:"weights"`
	Bias    float64   `json:"bias"`
}

// FitLogistic fits a Logistic to rows of equal length and their outcomes.
func FitLogistic(rows [][]float64, correct []bool) (Logistic, error) {
	if len(rows) == 0 {
		return Logistic{}, ErrNoSamples
	}
	if len(rows) != len(correct) {
		return Logistic{}, fmt.Errorf("%w: %d feature rows but %d outcomes", ErrInvalidInput, len(rows), len(correct))
	}
	d := len(rows[0])
	for i, r := range rows {
		if len(r) != d {
			return Logistic{}, fmt.Errorf("%w: row %d has %d features, row 0 has %d", ErrInvalidInput, i, len(r), d)
		}
		for j, v := range r {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return Logistic{}, fmt.Errorf("%w: row %d feature %d is %v", ErrInvalidInput, i, j, v)
			}
		}
	}
	w, b := fitLogistic(rows, correct, d)
	return Logistic{Weights: w, Bias: b}, nil
}

// Predict is the fitted probability for one feature row (of the fitted
// length; extra features are ignored, missing ones count as 0).
func (l Logistic) Predict(x []float64) float64 { return sigmoid(dot(l.Weights, x) + l.Bias) }

// Logit maps a probability-like feature onto the real line, clipped like the
// built-in calibrators' inputs so that 0 and 1 stay finite.
func Logit(p float64) float64 { return logit(clamp(clamp01(p), featureEps, 1-featureEps)) }
