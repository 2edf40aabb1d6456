package calibration

import (
	"math"
	"math/rand/v2"
	"testing"
)

// A judge whose accuracy is a smooth logistic function of its confidence
// is Platt's model exactly; with 20 narrow histogram bins on 600 outcomes,
// histogram binning is noisy. Log loss must pick Platt, or Venn-Abers,
// whose isotonic fit on 600 outcomes is as close to the smooth curve.
func TestChooseMethodPicksPlattOnLogistic(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 11))
	s := make([]Sample, 600)
	for i := range s {
		c := r.Float64()
		p := 1 / (1 + math.Exp(-(4*c - 1)))
		s[i] = Sample{Confidence: c, Correct: r.Float64() < p}
	}
	c, err := ChooseMethod(s, Options{Bins: 20}, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Method != MethodPlatt && c.Method != MethodVennAbers {
		t.Fatalf("chose %s, want platt or venn_abers; scores %+v", c.Method, c.Scores)
	}
	checkChoice(t, s, c)
}

// A step-shaped judge (right 90% above confidence .5, 50% below) that no
// logistic curve in logit(confidence) fits: isotonic or histogram must win
// over Platt.
func TestChooseMethodAvoidsPlattOnStep(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 12))
	s := make([]Sample, 2000)
	for i := range s {
		c := 0.02 + 0.96*r.Float64()
		p := 0.5
		if c >= 0.5 {
			p = 0.97
		}
		s[i] = Sample{Confidence: c, Correct: r.Float64() < p}
	}
	c, err := ChooseMethod(s, Options{}, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Method == MethodPlatt {
		t.Fatalf("chose platt on a step; scores %+v", c.Scores)
	}
	checkChoice(t, s, c)
}

func checkChoice(t *testing.T, s []Sample, c Choice) {
	t.Helper()
	if len(c.Scores) != len(Methods) || len(c.OOF) != len(s) {
		t.Fatalf("choice %+v", c)
	}
	ys := make([]bool, len(s))
	raw := make([]float64, len(s))
	for i, x := range s {
		ys[i], raw[i] = x.Correct, clamp(x.Confidence, probEps, 1-probEps)
	}
	base := baseRate(s)
	for _, sc := range c.Scores {
		if better(sc, c.Scores[indexOf(c.Scores, c.Method)]) {
			t.Errorf("%s scores better than the chosen %s", sc.Method, c.Method)
		}
		near(t, "skill vs base", sc.BrierSkillBase, 1-sc.Brier/(base*(1-base)), 1e-12)
		near(t, "skill vs identity", sc.BrierSkillIdentity, 1-sc.Brier/Brier(raw, ys), 1e-12)
	}
	near(t, "chosen log loss", LogLoss(c.OOF, ys), c.Scores[indexOf(c.Scores, c.Method)].LogLoss, 0)
}

func TestChooseMethodErrors(t *testing.T) {
	if _, err := ChooseMethod(nil, Options{}, 5, 1); err == nil {
		t.Error("no samples: want an error")
	}
	if _, err := ChooseMethod(randomLabels(10, 1), Options{}, 1, 1); err == nil {
		t.Error("one fold: want an error")
	}
}

// A judge whose certainty says nothing: whichever fitted map wins on
// held-out log loss wins by noise, so the constant base rate is chosen.
func TestChooseMethodKeepsBaseRateOnNearChanceJudge(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(8, 8))
	s := make([]Sample, 250)
	for i := range s {
		s[i] = Sample{Confidence: 0.5 + 0.05*float64(r.IntN(10)), Correct: r.Float64() < 0.55}
	}
	c, err := ChooseMethod(s, Options{}, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Method != MethodBaseRate {
		t.Fatalf("chose %s on a near-chance judge, want base_rate; scores %+v", c.Method, c.Scores)
	}
	base := c.Scores[indexOf(c.Scores, MethodBaseRate)].LogLoss
	beaten := false
	for _, sc := range c.Scores {
		beaten = beaten || sc.LogLoss < base
	}
	if !beaten {
		t.Fatalf("no fitted map beat the base rate on log loss, so the test shows nothing; scores %+v", c.Scores)
	}
}
