package calibration

import (
	"fmt"
	"math"
)

// MethodScore is one method's out-of-fold performance.
type MethodScore struct {
	Method  Method  `json:"method"`
	LogLoss float64 `json:"log_loss"`
	Brier   float64 `json:"brier"`
	// BrierSkillBase is 1 - Brier/Brier_base, Brier_base the Brier score of
	// always predicting the base rate of all samples: > 0 means the method
	// tells right from wrong better than knowing the accuracy alone.
	BrierSkillBase float64 `json:"brier_skill_base"`
	// BrierSkillIdentity is 1 - Brier/Brier_identity, against the raw
	// confidence (the identity map): > 0 means fitting helped.
	BrierSkillIdentity float64 `json:"brier_skill_identity"`
}

// Choice is the outcome of ChooseMethod.
type Choice struct {
	Method Method        `json:"method"` // the method with the lowest out-of-fold log loss, unless it does not clearly beat the base rate
	Scores []MethodScore `json:"scores"` // every method, in Methods order
	OOF    []float64     `json:"-"`      // the chosen method's out-of-fold predictions, aligned with the samples
}

// ChooseMethod cross-fits every method (CrossFit with the same folds and
// seed, so all are scored on the same held-out predictions' outcomes) and
// picks the one with the lowest out-of-fold log loss, ties broken by the
// lower Brier score, then by Methods order. Log loss is a proper score: it
// is minimised in expectation only by the true probabilities, whereas ECE
// can be driven to zero by predicting a constant, so ECE is never used to
// choose. opts applies to each method as in Fit (Bins to histogram, the
// extra features to Platt only). The winner must beat the constant base
// rate by more than one standard error of its per-item log-loss gain, or
// the base rate is chosen (see clearGain). Errors are CrossFit's.
func ChooseMethod(samples []Sample, opts Options, folds int, seed uint64) (Choice, error) {
	correct := make([]bool, len(samples))
	raw := make([]float64, len(samples))
	for i, s := range samples {
		correct[i], raw[i] = s.Correct, clamp(s.Confidence, probEps, 1-probEps)
	}
	base := baseRate(samples)
	brierBase := base * (1 - base)
	brierIdentity := Brier(raw, correct)
	var c Choice
	oofs := map[Method][]float64{}
	for _, m := range Methods {
		oof, err := CrossFit(m, samples, opts, folds, seed)
		if err != nil {
			return Choice{}, fmt.Errorf("calibration: %s: %w", m, err)
		}
		sc := MethodScore{Method: m, LogLoss: LogLoss(oof, correct), Brier: Brier(oof, correct)}
		sc.BrierSkillBase = skill(sc.Brier, brierBase)
		sc.BrierSkillIdentity = skill(sc.Brier, brierIdentity)
		c.Scores = append(c.Scores, sc)
		oofs[m] = oof
		if c.OOF == nil || better(sc, c.Scores[indexOf(c.Scores, c.Method)]) {
			c.Method, c.OOF = m, oof
		}
	}
	// One-standard-error rule against the base rate: a fitted map must beat
	// knowing the judge's accuracy by more than the noise of its own
	// held-out gain, or the constant is kept. On a near-chance judge every
	// fitted map wins by a hair on a few hundred outcomes and loses on the
	// next few hundred; the constant does not.
	if c.Method != MethodBaseRate && !clearGain(oofs[c.Method], oofs[MethodBaseRate], correct) {
		c.Method, c.OOF = MethodBaseRate, oofs[MethodBaseRate]
	}
	return c, nil
}

// clearGain reports whether the per-item log-loss gain of probs over the
// reference exceeds one standard error of its mean.
func clearGain(probs, reference []float64, correct []bool) bool {
	n := float64(len(correct))
	if n < 2 {
		return true
	}
	d := make([]float64, len(correct))
	var mean float64
	for i := range correct {
		d[i] = LogLoss(reference[i:i+1], correct[i:i+1]) - LogLoss(probs[i:i+1], correct[i:i+1])
		mean += d[i]
	}
	mean /= n
	var ss float64
	for _, x := range d {
		ss += (x - mean) * (x - mean)
	}
	se := math.Sqrt(ss / (n - 1) / n)
	return mean > se
}

// better reports whether a beats b: lower log loss, then lower Brier.
func better(a, b MethodScore) bool {
	if a.LogLoss != b.LogLoss {
		return a.LogLoss < b.LogLoss
	}
	return a.Brier < b.Brier
}

func indexOf(scores []MethodScore, m Method) int {
	for i, s := range scores {
		if s.Method == m {
			return i
		}
	}
	return 0
}

// skill is 1 - score/reference; 0 when the reference is 0 (nothing to beat).
func skill(score, reference float64) float64 {
	if reference == 0 {
		return 0
	}
	return 1 - score/reference
}
