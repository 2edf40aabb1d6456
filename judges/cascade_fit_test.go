package judges

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/personajudge/personajudge/calibration"
)

// synthCascade makes n items for a two-stage cascade: the cheap stage is
// right with probability equal to its stated certainty (calibrated), the
// strong stage is right on 95% at certainty 0.95.
func synthCascade(n int, seed uint64) []CascadeItem {
	r := rand.New(rand.NewPCG(seed, 1))
	items := make([]CascadeItem, n)
	for i := range items {
		c := 0.5 + 0.5*r.Float64() // identity probability of the cheap stage
		norm := 2*c - 1            // its normalized certainty
		items[i] = CascadeItem{Key: fmt.Sprint(seed, "-", i), Stages: []StageRecord{
			{Verdict: true, Correct: r.Float64() < c, Features: StageFeatures(norm, 2, 1), Calls: 2, Tokens: 20},
			{Verdict: true, Correct: r.Float64() < 0.95, Features: StageFeatures(0.9, 2, 1), Calls: 2, Tokens: 200},
		}}
	}
	return items
}

func TestFitCascadeCertifiesAndEscalates(t *testing.T) {
	t.Parallel()
	for _, fit := range []bool{false, true} {
		t.Run(fmt.Sprint("fit=", fit), func(t *testing.T) {
			t.Parallel()
			pol, err := FitCascade(synthCascade(2000, 1), CascadeSpec{Stages: []string{"cheap", "strong"}, Target: 0.85, Risk: 0.05, FitCalibrators: fit})
			if err != nil {
				t.Fatal(err)
			}
			if !pol.Found || pol.LowerBound < 0.85 {
				t.Fatalf("nothing certified: %+v", pol)
			}
			rep := pol.Evaluate(synthCascade(2000, 2))
			if rep.Agreement < 0.85 {
				t.Errorf("held-out agreement %.3f below the target", rep.Agreement)
			}
			if rep.Stages[0].Share < 0.2 || rep.Stages[1].Answered == 0 {
				t.Errorf("both stages should answer: %+v", rep.Stages)
			}
			if rep.Stages[1].ReachedShare >= 1 || rep.TokensPerItem >= rep.LastStageTokensPerItem+20 {
				t.Errorf("the cascade should spare the strong stage: %+v", rep)
			}
			if rep.CallsPerItem < 2 || rep.Items != 2000 {
				t.Errorf("every item pays the first stage: %+v", rep)
			}
		})
	}
}

func TestFitCascadeNothingCertifiedAnswersNothing(t *testing.T) {
	t.Parallel()
	items := synthCascade(400, 3)
	for i := range items { // both stages at chance
		items[i].Stages[0].Correct = i%2 == 0
		items[i].Stages[1].Correct = i%2 == 1
	}
	pol, err := FitCascade(items, CascadeSpec{Stages: []string{"a", "b"}, Target: 0.9, Risk: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	if pol.Found {
		t.Fatalf("certified %v on coin flips", pol.Threshold)
	}
	if rep := pol.Evaluate(items); rep.Answered != 0 || rep.Stages[1].Reached != len(items) {
		t.Errorf("without a threshold every item goes to a person after the last stage: %+v", rep)
	}
}

func TestFitCascadeBadInput(t *testing.T) {
	t.Parallel()
	few := synthCascade(20, 4)
	for _, tc := range []struct {
		name string
		spec CascadeSpec
	}{
		{"no stages", CascadeSpec{Target: 0.9, Risk: 0.05}},
		{"target 0.5", CascadeSpec{Stages: []string{"a"}, Target: 0.5, Risk: 0.05}},
		{"target 1", CascadeSpec{Stages: []string{"a"}, Target: 1, Risk: 0.05}},
		{"risk 0", CascadeSpec{Stages: []string{"a"}, Target: 0.9}},
		{"risk 0.5", CascadeSpec{Stages: []string{"a"}, Target: 0.9, Risk: 0.5}},
	} {
		if _, err := FitCascade(few, tc.spec); !errors.Is(err, ErrInvalidCascade) {
			t.Errorf("%s: got %v, want ErrInvalidCascade", tc.name, err)
		}
	}
	_, err := FitCascade(few, CascadeSpec{Stages: []string{"cheap", "strong"}, Target: 0.9, Risk: 0.05})
	var ie *InsufficientOutcomesError
	if !errors.As(err, &ie) || ie.Have != 20 || ie.Need != DefaultMinStageOutcomes {
		t.Fatalf("got %v, want an InsufficientOutcomesError with the counts", err)
	}
	// A stage missing from most items is the one named.
	items := synthCascade(200, 5)
	for i := range items[:150] {
		items[i].Stages = items[i].Stages[:1]
	}
	_, err = FitCascade(items, CascadeSpec{Stages: []string{"cheap", "strong"}, Target: 0.9, Risk: 0.05})
	if !errors.As(err, &ie) || ie.Stage != 1 || ie.Name != "strong" || ie.Have != 50 {
		t.Fatalf("got %v, want stage 1 (strong) with 50 outcomes", err)
	}
}

func TestIdentityStageCalibratorIsTheIdentityMap(t *testing.T) {
	t.Parallel()
	for _, norm := range []float64{0, 0.3, 0.8} {
		want := calibration.IdentityFromNormalized(norm, 2)
		if got := IdentityStageCalibrator().Predict(StageFeatures(norm, 2, 1)); got < want-1e-9 || got > want+1e-9 {
			t.Errorf("certainty %v: %v, want %v", norm, got, want)
		}
	}
}
