package calibration

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestFitErrors(t *testing.T) {
	t.Parallel()
	good := Sample{Confidence: 0.7, Correct: true}
	tests := []struct {
		name    string
		method  Method
		samples []Sample
		opts    Options
		is      error
		mention []string
	}{
		{"empty", MethodHistogram, nil, Options{}, ErrNoSamples, nil},
		{"unknown method", "beta", []Sample{good}, Options{}, ErrUnknownMethod, []string{"histogram", "isotonic", "platt"}},
		{"negative bins", MethodHistogram, []Sample{good}, Options{Bins: -1}, ErrInvalidInput, []string{"Bins"}},
		{"NaN confidence", MethodIsotonic, []Sample{good, good, {Confidence: math.NaN()}}, Options{}, ErrInvalidInput, []string{"sample 2", "Confidence", "NaN"}},
		{"confidence > 1", MethodHistogram, []Sample{{Confidence: 1.5}}, Options{}, ErrInvalidInput, []string{"sample 0", "Confidence"}},
		{"bad consistency used", MethodPlatt, []Sample{good, {Confidence: 0.5, Consistency: -0.1}}, Options{UseConsistency: true}, ErrInvalidInput, []string{"sample 1", "Consistency"}},
		{"bad logprob used", MethodPlatt, []Sample{good, {Confidence: 0.5, Logprob: math.Inf(1)}}, Options{UseLogprob: true}, ErrInvalidInput, []string{"sample 1", "Logprob"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := Fit(tc.method, tc.samples, tc.opts)
			if !errors.Is(err, tc.is) || m != nil {
				t.Fatalf("Fit = %v, %v; want error %v", m, err, tc.is)
			}
			for _, w := range tc.mention {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}

	// Fields a fit does not read are not validated: NaN logprob means "not
	// available" when UseLogprob is off.
	if _, err := Fit(MethodPlatt, []Sample{{Confidence: 0.6, Logprob: math.NaN(), Consistency: math.NaN()}}, Options{}); err != nil {
		t.Errorf("unused NaN fields rejected: %v", err)
	}
}

func fitAll(t *testing.T, samples []Sample) map[string]*Model {
	t.Helper()
	out := map[string]*Model{}
	for name, c := range map[string]struct {
		m Method
		o Options
	}{
		"histogram":        {MethodHistogram, Options{}},
		"histogram-15":     {MethodHistogram, Options{Bins: 15}},
		"isotonic":         {MethodIsotonic, Options{}},
		"platt":            {MethodPlatt, Options{}},
		"platt-cons-logpr": {MethodPlatt, Options{UseConsistency: true, UseLogprob: true}},
	} {
		m, err := Fit(c.m, samples, c.o)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = m
	}
	return out
}

func TestModelJSONRoundTrip(t *testing.T) {
	t.Parallel()
	samples := overconfident(800, 21)
	for i := range samples { // give the extra Platt features some signal
		samples[i].Consistency = float64(i%3) / 2
		samples[i].Logprob = samples[i].Confidence * 0.9
	}
	for name, m := range fitAll(t, samples) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			var back Model
			if err := json.Unmarshal(data, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*m, back) {
				t.Fatalf("decoded model differs:\n%+v\n%+v", *m, back)
			}
			if err := back.Validate(); err != nil {
				t.Fatal(err)
			}
			for i := 0; i <= 1000; i++ {
				s := Sample{Confidence: float64(i) / 1000, Consistency: float64(i%3) / 2, Logprob: float64(1000-i) / 1000}
				if a, b := m.Predict(s), back.Predict(s); a != b {
					t.Fatalf("Predict(%+v): fitted %v, decoded %v", s, a, b)
				}
			}
		})
	}
}

func TestCalibratorsLowerECE(t *testing.T) {
	t.Parallel()
	// Overconfident judge: confidence uniform on [.5,1], true accuracy
	// .5 + .3*(conf-.5). Raw ECE is about E|conf - p| = .7*E[conf-.5] =
	// .7*.25 = .175 (this draw gives .158: sampling noise is ~.01). Fit on
	// one draw, evaluate on an independent one.
	train, test := overconfident(4000, 1), overconfident(4000, 2)
	rawP, ys := probsAndLabels(nil, test)
	raw := ECE(rawP, ys, 10)
	near(t, "raw ECE", raw, 0.175, 0.02)
	for name, m := range fitAll(t, train) {
		ps, ys := probsAndLabels(m, test)
		got := ECE(ps, ys, 10)
		t.Logf("%s: held-out ECE10 %.4f (raw %.4f)", name, got, raw)
		if got > 0.04 || got > raw/4 {
			t.Errorf("%s: ECE %v on held-out data, raw %v; want <= .04", name, got, raw)
		}
	}
}

func TestPredictRobustness(t *testing.T) {
	t.Parallel()
	m, err := Fit(MethodHistogram, overconfident(100, 3), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// NaN and out-of-range inputs are clamped, never NaN out.
	for _, c := range []float64{math.NaN(), -1, 2, math.Inf(1)} {
		if p := m.Predict(Sample{Confidence: c}); !(p >= 0.001 && p <= 0.999) {
			t.Errorf("Predict(%v) = %v", c, p)
		}
	}
	// A corrupted model falls back to the clamped raw confidence.
	broken := &Model{Method: MethodHistogram, Options: Options{Bins: 10}, BinProbs: []float64{0.5}}
	if err := broken.Validate(); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("Validate(broken) = %v", err)
	}
	near(t, "fallback", broken.Predict(Sample{Confidence: 0.7}), 0.7, 0)
	near(t, "fallback clamp", broken.Predict(Sample{Confidence: 1}), 0.999, 0)
	var nilModel *Model
	near(t, "nil model", nilModel.Predict(Sample{Confidence: 0.3}), 0.3, 0)
	if err := (&Model{Method: "beta"}).Validate(); !errors.Is(err, ErrUnknownMethod) {
		t.Errorf("Validate(unknown method) = %v", err)
	}
}
