package calibration

import (
	"math"
	"math/rand/v2"
	"testing"
)

// judgeSamples draws n outcomes of a judge whose accuracy rises with its
// stated certainty (1-100, on a coarse grid as real judges state it).
func judgeSamples(n int, seed uint64) []Sample {
	r := rand.New(rand.NewPCG(seed, seed))
	s := make([]Sample, n)
	for i := range s {
		cert := float64(50 + 10*r.IntN(6)) // 50..100
		c := IdentityProbability(cert, 2)
		s[i] = Sample{Confidence: c, Consistency: r.Float64(), Correct: r.Float64() < 0.35+0.6*(cert-50)/50}
	}
	return s
}

func TestChooseTableMatchesChoose(t *testing.T) {
	t.Parallel()
	s := judgeSamples(800, 3)
	scores := make([]float64, len(s))
	correct := make([]bool, len(s))
	for i, x := range s {
		scores[i], correct[i] = x.Confidence, x.Correct
	}
	for _, target := range []float64{0.6, 0.8, 0.9, 0.95} {
		f := FixedSequence{Target: target}
		want, err := f.Choose(scores, correct)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.ChooseTable(KeptTable(scores, correct), len(s))
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("target %v: table %+v, items %+v", target, got, want)
		}
	}
}

func TestChooseTableRejectsInconsistentTable(t *testing.T) {
	t.Parallel()
	for name, rows := range map[string][]KeptRow{
		"scores not descending": {{Score: 0.5, Kept: 1, Correct: 1}, {Score: 0.6, Kept: 2, Correct: 2}},
		"correct above kept":    {{Score: 0.9, Kept: 1, Correct: 2}},
		"kept above n":          {{Score: 0.9, Kept: 11, Correct: 2}},
	} {
		if _, err := (FixedSequence{Target: 0.9}).ChooseTable(rows, 10); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// One-feature calibrators cut on the raw confidence of every outcome;
// multi-feature ones on calibrated probabilities of the half they were not
// fitted on.
func TestFitSelectedBasis(t *testing.T) {
	t.Parallel()
	s := judgeSamples(600, 4)
	for _, tc := range []struct {
		method Method
		opts   Options
		basis  Basis
		n      int
	}{
		{MethodIsotonic, Options{}, BasisConfidence, 600},
		{MethodVennAbers, Options{}, BasisConfidence, 600},
		{MethodBaseRate, Options{}, BasisConfidence, 600},
		{MethodPlatt, Options{UseConsistency: true}, BasisCalibrated, 300},
	} {
		m, err := FitSelected(tc.method, s, tc.opts, 0.8, 1)
		if err != nil {
			t.Fatal(err)
		}
		sel := m.Selection
		if sel.Basis != tc.basis || sel.N != tc.n || sel.Target != 0.8 {
			t.Errorf("%s: basis %s n %d target %v, want %s %d 0.8", tc.method, sel.Basis, sel.N, sel.Target, tc.basis, tc.n)
		}
		if tc.basis == BasisCalibrated && m.TrainN != 300 {
			t.Errorf("%s: served model fitted on %d, want the fit half 300", tc.method, m.TrainN)
		}
		res, err := sel.Choose(0.8)
		if err != nil {
			t.Fatal(err)
		}
		if tc.method != MethodBaseRate && !res.Found {
			t.Errorf("%s: no threshold at 0.8 on a judge right 95%% at certainty 100", tc.method)
		}
		// The stored model round-trips with its selection.
		b, err := EncodeModel(m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeModel(b)
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := back.Selection.Choose(0.8); again != res {
			t.Errorf("%s: decoded selection chooses %+v, fitted %+v", tc.method, again, res)
		}
	}
}

func TestFitSelectedRejectsBadTarget(t *testing.T) {
	t.Parallel()
	for _, target := range []float64{0.5, 1, math.NaN(), 0} {
		if _, err := FitSelected(MethodIsotonic, judgeSamples(50, 1), Options{}, target, 1); err == nil {
			t.Errorf("target %v: no error", target)
		}
	}
}

func TestBaseRatePredictsAccuracy(t *testing.T) {
	t.Parallel()
	s := []Sample{{Confidence: 0.9, Correct: true}, {Confidence: 0.2, Correct: true}, {Confidence: 0.6, Correct: false}, {Confidence: 1, Correct: true}}
	m, err := Fit(MethodBaseRate, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []float64{0, 0.5, 1} {
		if p := m.Predict(Sample{Confidence: c}); p != 0.75 {
			t.Errorf("confidence %v: %v, want the base rate 0.75", c, p)
		}
	}
}

// Venn-Abers brackets its probability, and its interval is wide where few
// outcomes share the certainty and narrow where many do.
func TestVennAbersInterval(t *testing.T) {
	t.Parallel()
	var s []Sample
	hi, lo := IdentityProbability(100, 2), IdentityProbability(60, 2)
	for i := range 400 {
		s = append(s, Sample{Confidence: lo, Correct: i%10 < 7})
	}
	for range 3 {
		s = append(s, Sample{Confidence: hi, Correct: true})
	}
	m, err := Fit(MethodVennAbers, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []float64{lo, hi, 0.5 * (lo + hi)} {
		p0, p1, ok := m.PredictInterval(Sample{Confidence: c})
		p := m.Predict(Sample{Confidence: c})
		if !ok || !(p0 <= p && p <= p1) {
			t.Errorf("confidence %v: p %v outside [%v, %v] (ok %v)", c, p, p0, p1, ok)
		}
	}
	p0, p1, _ := m.PredictInterval(Sample{Confidence: lo})
	q0, q1, _ := m.PredictInterval(Sample{Confidence: hi})
	if !(p1-p0 < 0.01 && q1-q0 > 0.1) {
		t.Errorf("width at 400 outcomes %v, at 3 outcomes %v: want narrow and wide", p1-p0, q1-q0)
	}
	if p := m.Predict(Sample{Confidence: hi}); p > 0.95 {
		t.Errorf("3 right outcomes at certainty 100 claim %v", p)
	}
	if _, _, ok := (&Model{Method: MethodIsotonic}).PredictInterval(Sample{}); ok {
		t.Error("an isotonic model gave an interval")
	}
}
