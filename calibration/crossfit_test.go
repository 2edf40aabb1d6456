package calibration

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// randomLabels returns n samples with distinct confidences and coin-flip
// labels: there is nothing to learn, only noise to memorise.
func randomLabels(n int, seed uint64) []Sample {
	r := rand.New(rand.NewPCG(seed, 9))
	s := make([]Sample, n)
	for i := range s {
		s[i] = Sample{Confidence: (float64(i) + 0.5) / float64(n), Correct: r.IntN(2) == 1}
	}
	return s
}

func TestCrossFitNeverSeesItsOwnSample(t *testing.T) {
	t.Parallel()
	// Histogram with one bin per sample: a model that saw sample i puts its
	// label into bin i ((y + 10*base)/11), a model that did not leaves the
	// empty bin at its training base rate. So every out-of-fold prediction
	// must be exactly the accuracy of the other folds, whatever sample i's
	// label: the same for every sample of a fold.
	const n, folds = 1000, 5
	s := randomLabels(n, 4)
	ps, err := CrossFit(MethodHistogram, s, Options{Bins: n}, folds, 42)
	if err != nil {
		t.Fatal(err)
	}
	fold := foldAssignment(n, folds, 42)
	var right, size [folds]float64
	var total float64
	for i, x := range s {
		size[fold[i]]++
		if x.Correct {
			right[fold[i]]++
			total++
		}
	}
	for i, p := range ps {
		f := fold[i]
		want := (total - right[f]) / (n - size[f])
		near(t, "out-of-fold prediction", p, want, 1e-12)
	}
	// The in-sample fit, by contrast, has memorised the labels.
	m, _ := Fit(MethodHistogram, s, Options{Bins: n})
	inP, ys := probsAndLabels(m, s)
	if auc := AUROC(inP, ys); auc < 0.8 {
		t.Errorf("in-sample AUROC %v; the memorising check above is vacuous", auc)
	}
}

func TestCrossFitRandomLabelsNearChance(t *testing.T) {
	t.Parallel()
	// On random labels no honest out-of-fold prediction can rank right
	// answers above wrong ones: AUROC must be near .5. Its standard error
	// with 1000 per class is ~.013, and cross-validation on pure noise leans
	// slightly below .5 (a fold's fit follows the other folds' noise, which
	// is anti-correlated with its own), hence the band [.42, .58]. An
	// in-sample fit of the same histogram (200 bins of 10 samples) ranks its
	// own noise well above chance.
	s := randomLabels(2000, 8)
	ys := make([]bool, len(s))
	for i := range s {
		ys[i] = s[i].Correct
	}
	for _, method := range Methods {
		ps, err := CrossFit(method, s, Options{Bins: 200}, 5, 1)
		if err != nil {
			t.Fatal(err)
		}
		auc := AUROC(ps, ys)
		t.Logf("%s: cross-fitted AUROC %.4f", method, auc)
		if auc < 0.42 || auc > 0.58 {
			t.Errorf("%s: cross-fitted AUROC on random labels = %v, want near .5", method, auc)
		}
	}
	m, _ := Fit(MethodHistogram, s, Options{Bins: 200})
	inP, _ := probsAndLabels(m, s)
	auc := AUROC(inP, ys)
	t.Logf("in-sample histogram AUROC %.4f", auc)
	if auc < 0.6 {
		t.Errorf("in-sample histogram AUROC = %v; expected memorisation above .6", auc)
	}
}

func TestCrossFitDeterministic(t *testing.T) {
	t.Parallel()
	s := overconfident(300, 5)
	a, err := CrossFit(MethodIsotonic, s, Options{}, 4, 99)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := CrossFit(MethodIsotonic, s, Options{}, 4, 99)
	c, _ := CrossFit(MethodIsotonic, s, Options{}, 4, 100)
	same, sameC := true, true
	for i := range a {
		same = same && a[i] == b[i]
		sameC = sameC && a[i] == c[i]
	}
	if !same {
		t.Error("same seed gave different predictions")
	}
	if sameC {
		t.Error("different seeds gave identical predictions; seed unused?")
	}
}

func TestFoldAssignmentBalanced(t *testing.T) {
	t.Parallel()
	// 10 samples in 3 folds: sizes 4,3,3.
	sizes := map[int]int{}
	for _, f := range foldAssignment(10, 3, 7) {
		sizes[f]++
	}
	if sizes[0] != 4 || sizes[1] != 3 || sizes[2] != 3 {
		t.Errorf("fold sizes %v, want 4,3,3", sizes)
	}
}

func TestCrossFitErrors(t *testing.T) {
	t.Parallel()
	s := overconfident(10, 1)
	tests := []struct {
		name    string
		method  Method
		samples []Sample
		folds   int
		is      error
	}{
		{"one fold", MethodIsotonic, s, 1, ErrInvalidInput},
		{"fewer samples than folds", MethodIsotonic, s[:3], 4, ErrInvalidInput},
		{"unknown method", "beta", s, 2, ErrUnknownMethod},
		{"bad sample", MethodIsotonic, append([]Sample{{Confidence: 2}}, s...), 2, ErrInvalidInput},
	}
	for _, tc := range tests {
		if _, err := CrossFit(tc.method, tc.samples, Options{}, tc.folds, 0); !errors.Is(err, tc.is) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.is)
		}
	}
}
