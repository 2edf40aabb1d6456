package calibration

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestPlattConstantFeatureHand(t *testing.T) {
	t.Parallel()
	// All four samples at confidence .5, so logit(conf) = 0 and the weight
	// has no effect (the L2 term holds it at 0). The bias solves
	// mean(sigmoid(b)) = mean(target) with Platt's targets:
	//   t+ = (3+1)/(3+2) = .8,  t- = 1/(1+2) = 1/3
	//   p  = (3*.8 + 1/3)/4 = (2.4 + .333333)/4 = .683333
	s := []Sample{
		{Confidence: 0.5, Correct: true}, {Confidence: 0.5, Correct: true},
		{Confidence: 0.5, Correct: true}, {Confidence: 0.5},
	}
	m, err := Fit(MethodPlatt, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "Predict", m.Predict(Sample{Confidence: 0.5}), (2.4+1.0/3)/4, 1e-9)
	near(t, "weight", m.Weights[0], 0, 1e-9)
}

// logisticData draws n samples with confidence uniform on [.02,.98] and
// P(correct) = sigmoid(a*logit(conf) + b).
func logisticData(n int, a, b float64, seed uint64) []Sample {
	r := rand.New(rand.NewPCG(seed, 3))
	s := make([]Sample, n)
	for i := range s {
		c := 0.02 + 0.96*r.Float64()
		s[i] = Sample{Confidence: c, Correct: r.Float64() < sigmoid(a*logit(c)+b)}
	}
	return s
}

func TestPlattRecoversLogisticMap(t *testing.T) {
	t.Parallel()
	const a, b = 2.0, -0.5
	s := logisticData(5000, a, b, 11)
	m, err := Fit(MethodPlatt, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// With 5000 samples the MLE is within a few standard errors (~0.05) of
	// the truth; Platt's target smoothing shifts it by O(1/n).
	near(t, "weight", m.Weights[0], a, 0.15)
	near(t, "bias", m.Bias, b, 0.15)

	// Monotone increasing over the whole range.
	prev := 0.0
	for i := 1; i < 1000; i++ {
		p := m.Predict(Sample{Confidence: float64(i) / 1000})
		if p <= prev && p < 0.999 && prev > 0.001 {
			t.Fatalf("not increasing at %v: %v <= %v", float64(i)/1000, p, prev)
		}
		prev = p
	}
	// Separates: true p at .1 is sigmoid(2*logit(.1)-.5) = sigmoid(-4.894) = .0074
	// and at .9 is sigmoid(3.894) = .980.
	near(t, "p(.1)", m.Predict(Sample{Confidence: 0.1}), sigmoid(a*logit(0.1)+b), 0.01)
	near(t, "p(.9)", m.Predict(Sample{Confidence: 0.9}), sigmoid(a*logit(0.9)+b), 0.01)
	ps, ys := probsAndLabels(m, s)
	if auc := AUROC(ps, ys); auc < 0.85 {
		t.Errorf("AUROC = %v, want >= .85", auc)
	}
}

func TestPlattUsesConsistencyAndLogprob(t *testing.T) {
	t.Parallel()
	// Correctness depends on confidence (slope 1), consistency (+3 per unit)
	// and logprob (slope 1.5): each extra feature must get its own positive
	// weight near the truth.
	r := rand.New(rand.NewPCG(5, 5))
	s := make([]Sample, 6000)
	for i := range s {
		c := 0.05 + 0.9*r.Float64()
		cons := float64(r.IntN(3)) / 2 // 0, .5, 1
		lp := 0.05 + 0.9*r.Float64()
		z := logit(c) + 3*(cons-0.5) + 1.5*logit(lp)
		s[i] = Sample{Confidence: c, Consistency: cons, Logprob: lp, Correct: r.Float64() < sigmoid(z)}
	}
	m, err := Fit(MethodPlatt, s, Options{UseConsistency: true, UseLogprob: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Weights) != 3 {
		t.Fatalf("weights %v, want 3", m.Weights)
	}
	near(t, "w conf", m.Weights[0], 1, 0.2)
	near(t, "w consistency", m.Weights[1], 3, 0.4)
	near(t, "w logprob", m.Weights[2], 1.5, 0.2)
	near(t, "bias", m.Bias, -1.5, 0.3)
	lo := m.Predict(Sample{Confidence: 0.7, Consistency: 0, Logprob: 0.5})
	hi := m.Predict(Sample{Confidence: 0.7, Consistency: 1, Logprob: 0.5})
	if !(hi > lo) {
		t.Errorf("consistency 1 gives %v, consistency 0 gives %v; want higher", hi, lo)
	}
}

func TestPlattSeparableAndDegenerate(t *testing.T) {
	t.Parallel()
	// Perfectly separable data and a constant consistency column must still
	// give finite parameters (target smoothing and L2) and a sane map.
	var s []Sample
	for i := range 50 {
		s = append(s, Sample{Confidence: 0.2 + 0.001*float64(i), Consistency: 1},
			Sample{Confidence: 0.8 + 0.001*float64(i), Consistency: 1, Correct: true})
	}
	m, err := Fit(MethodPlatt, s, Options{UseConsistency: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range append([]float64{m.Bias}, m.Weights...) {
		if math.IsNaN(w) || math.IsInf(w, 0) {
			t.Fatalf("non-finite parameter in %+v", m)
		}
	}
	if lo, hi := m.Predict(Sample{Confidence: 0.2, Consistency: 1}), m.Predict(Sample{Confidence: 0.8, Consistency: 1}); !(lo < 0.1 && hi > 0.9) {
		t.Errorf("p(.2) = %v, p(.8) = %v; want < .1 and > .9", lo, hi)
	}
	// Deterministic: a second fit is bit-identical.
	m2, _ := Fit(MethodPlatt, s, Options{UseConsistency: true})
	if m2.Bias != m.Bias || m2.Weights[0] != m.Weights[0] || m2.Weights[1] != m.Weights[1] {
		t.Errorf("refit differs: %+v vs %+v", m, m2)
	}
}
