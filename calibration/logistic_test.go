package calibration

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// A feature that carries the signal gets the weight; pure noise gets ~0;
// a constant feature does not break the fit.
func TestFitLogistic(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 1))
	var rows [][]float64
	var correct []bool
	for range 2000 {
		signal, noise := rng.NormFloat64(), rng.NormFloat64()
		rows = append(rows, []float64{signal, noise, 1})
		correct = append(correct, rng.Float64() < sigmoid(1.5*signal+0.5))
	}
	l, err := FitLogistic(rows, correct)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(l.Weights[0]-1.5) > 0.25 || math.Abs(l.Weights[1]) > 0.15 {
		t.Fatalf("weights %v, want about [1.5 0 ...]", l.Weights)
	}
	if p := l.Predict([]float64{0, 0, 1}); math.Abs(p-sigmoid(0.5)) > 0.05 {
		t.Fatalf("Predict(0) = %v, want about %v", p, sigmoid(0.5))
	}
}

func TestFitLogisticBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		rows    [][]float64
		correct []bool
		want    error
	}{
		{"empty", nil, nil, ErrNoSamples},
		{"length mismatch", [][]float64{{1}}, []bool{true, false}, ErrInvalidInput},
		{"ragged", [][]float64{{1}, {1, 2}}, []bool{true, false}, ErrInvalidInput},
		{"NaN", [][]float64{{math.NaN()}}, []bool{true}, ErrInvalidInput},
	}
	for _, tc := range tests {
		if _, err := FitLogistic(tc.rows, tc.correct); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}
