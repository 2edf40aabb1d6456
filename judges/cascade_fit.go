package judges

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"sort"

	"github.com/personajudge/personajudge/calibration"
)

// A cascade runs its stages (a model or an ensemble each) in order: stage i
// answers an item when its calibrated probability of being right reaches
// the cascade's threshold, otherwise the item goes to stage i+1, and after
// the last stage it is left to a person.
//
// How the guarantee composes. The whole cascade is one policy with one
// parameter: the threshold λ that every stage's calibrated probability is
// compared with. Lowering λ only adds answered items (an item is answered
// iff some stage reaches λ), so the policies form a fixed sequence ordered
// by λ before any outcome is looked at. FitCascade tests them from the
// strictest down with the one-sided Clopper-Pearson bound on the agreement
// of the answered items (which stage answers each item is re-decided at
// every λ) and keeps the lowest λ before the first failure; the λ tested are
// a grid fixed in advance (ThresholdGrid). That is
// fixed-sequence testing of the joint policy (Learn-then-Test), so with
// probability at least 1 - risk the chosen cascade's agreement on answered
// items is at least the target, with no split of the risk across stages
// (Trust or Escalate tests each stage apart and must divide the risk).
// The per-stage calibrators are fitted on a part of the outcomes the test
// never sees, as the bound requires.

// StageRecord is what one stage said of one item.
type StageRecord struct {
	// Verdict: the stage gave a verdict (an abstention, judge error or
	// unreadable answer always escalates).
	Verdict bool
	// Correct: the verdict matches the label.
	Correct bool
	// Features are the stage's calibration features (see StageFeatures).
	Features []float64
	// Calls and Tokens are what the stage cost on the item.
	Calls, Tokens int64
}

// CascadeItem is one labelled item with a record from every stage, in
// stage order.
type CascadeItem struct {
	Key    string
	Stages []StageRecord
}

// StageFeatures are the calibration features of a stage's judgment: the
// logit of its stated certainty read as a probability of being right, and
// how consistent its orders were.
func StageFeatures(certainty float64, options int, consistency float64) []float64 {
	return []float64{calibration.Logit(calibration.IdentityFromNormalized(certainty, max(options, 2))), consistency}
}

// CascadeSpec is what a cascade fit is asked for.
type CascadeSpec struct {
	// Stages names the stages, in order.
	Stages []string
	// Target is the agreement to certify on answered items, in (0.5, 1).
	Target float64
	// Risk is the chance the certificate may be wrong, in (0, 0.5).
	Risk float64
	// MinKept is the smallest answered set tested (unless set, a quarter
	// of the test items and at least calibration.DefaultMinKept).
	MinKept int
	// FitCalibrators fits each stage's calibrator on half of the items and
	// tests the policy on the other half. Without it every stage reads its
	// stated certainty with the identity map (nothing is fitted) and every
	// item serves the test, which certifies more on few outcomes when the
	// judges' certainty is roughly calibrated already.
	FitCalibrators bool
}

// IdentityStageCalibrator reads StageFeatures as the identity map does:
// sigmoid of the logit of the stated probability is that probability.
func IdentityStageCalibrator() calibration.Logistic {
	return calibration.Logistic{Weights: []float64{1, 0}}
}

// DefaultMinStageOutcomes is the fewest aligned labelled items a cascade
// fit accepts: half fit the stage calibrators, half test the policy, and a
// test on fewer than calibration.DefaultMinKept items cannot pass.
const DefaultMinStageOutcomes = 2 * calibration.DefaultMinKept

// InsufficientOutcomesError says a stage has too few labelled items.
type InsufficientOutcomesError struct {
	Stage      int
	Name       string
	Have, Need int
}

func (e *InsufficientOutcomesError) Error() string {
	return fmt.Sprintf("stage %d (%s) has %d labelled outcomes aligned with the other stages, needs at least %d", e.Stage, e.Name, e.Have, e.Need)
}

// ErrInvalidCascade wraps a spec outside its ranges.
var ErrInvalidCascade = errors.New("invalid cascade")

// StagePolicy is one fitted stage.
type StagePolicy struct {
	Name       string               `json:"name"`
	Calibrator calibration.Logistic `json:"calibrator"`
}

// CascadePolicy is a fitted cascade.
type CascadePolicy struct {
	Stages []StagePolicy `json:"stages"`
	Target float64       `json:"target"`
	Risk   float64       `json:"risk"`
	// Found: some threshold was certified. Without one every item goes to
	// a person.
	Found bool `json:"found"`
	// Threshold is λ, the calibrated probability every stage must reach.
	Threshold float64 `json:"threshold"`
	// LowerBound is the certified agreement at Threshold on the test part.
	LowerBound float64 `json:"lower_bound"`
	// FitItems and TestItems count the outcomes each part used.
	FitItems  int `json:"fit_items"`
	TestItems int `json:"test_items"`
}

func (s CascadeSpec) validate() error {
	if len(s.Stages) == 0 {
		return fmt.Errorf("%w: stages: at least one stage is needed", ErrInvalidCascade)
	}
	if !(s.Target > 0.5 && s.Target < 1) {
		return fmt.Errorf("%w: target: %v is not in (0.5, 1)", ErrInvalidCascade, s.Target)
	}
	if !(s.Risk > 0 && s.Risk < 0.5) {
		return fmt.Errorf("%w: risk: %v is not in (0, 0.5)", ErrInvalidCascade, s.Risk)
	}
	return nil
}

// FitCascade fits a cascade on labelled items: items are split by a hash of
// their key into a fit part (each stage's calibrator: a logistic over its
// features, fitted on the items where it gave a verdict) and a test part
// (the fixed-sequence test of the joint policy). Items lacking a stage's
// record are not used.
func FitCascade(items []CascadeItem, spec CascadeSpec) (CascadePolicy, error) {
	if err := spec.validate(); err != nil {
		return CascadePolicy{}, err
	}
	var aligned []CascadeItem
	for _, it := range items {
		if len(it.Stages) == len(spec.Stages) {
			aligned = append(aligned, it)
		}
	}
	if len(aligned) < DefaultMinStageOutcomes {
		stage, have := weakestStage(items, len(spec.Stages))
		return CascadePolicy{}, &InsufficientOutcomesError{Stage: stage, Name: spec.Stages[stage], Have: min(have, len(aligned)), Need: DefaultMinStageOutcomes}
	}
	if !spec.FitCalibrators {
		pol := CascadePolicy{Target: spec.Target, Risk: spec.Risk, TestItems: len(aligned)}
		for _, name := range spec.Stages {
			pol.Stages = append(pol.Stages, StagePolicy{Name: name, Calibrator: IdentityStageCalibrator()})
		}
		pol.chooseThreshold(aligned, spec.MinKept)
		return pol, nil
	}
	fit, test := splitByKey(aligned)
	pol := CascadePolicy{Target: spec.Target, Risk: spec.Risk, FitItems: len(fit), TestItems: len(test)}
	for s, name := range spec.Stages {
		var rows [][]float64
		var correct []bool
		for _, it := range fit {
			if r := it.Stages[s]; r.Verdict {
				rows = append(rows, r.Features)
				correct = append(correct, r.Correct)
			}
		}
		if len(rows) < calibration.DefaultMinKept/3 {
			return CascadePolicy{}, &InsufficientOutcomesError{Stage: s, Name: name, Have: len(rows), Need: calibration.DefaultMinKept / 3}
		}
		cal, err := calibration.FitLogistic(rows, correct)
		if err != nil {
			return CascadePolicy{}, fmt.Errorf("stage %d (%s): %w", s, name, err)
		}
		pol.Stages = append(pol.Stages, StagePolicy{Name: name, Calibrator: cal})
	}
	pol.chooseThreshold(test, spec.MinKept)
	return pol, nil
}

// weakestStage is the stage with the fewest records, and that count.
func weakestStage(items []CascadeItem, stages int) (int, int) {
	counts := make([]int, stages)
	for _, it := range items {
		for s := range min(len(it.Stages), stages) {
			counts[s]++
		}
	}
	best := 0
	for s, c := range counts {
		if c < counts[best] {
			best = s
		}
	}
	return best, counts[best]
}

// splitByKey puts every other item, in the order of a hash of its key, in
// the fit part: the split depends on nothing but the keys.
func splitByKey(items []CascadeItem) (fit, test []CascadeItem) {
	sorted := append([]CascadeItem(nil), items...)
	h := func(k string) uint64 { f := fnv.New64a(); f.Write([]byte(k)); return f.Sum64() }
	sort.SliceStable(sorted, func(i, j int) bool { return h(sorted[i].Key) < h(sorted[j].Key) })
	for i, it := range sorted {
		if i%2 == 0 {
			fit = append(fit, it)
		} else {
			test = append(test, it)
		}
	}
	return fit, test
}

// scores is each stage's calibrated probability of the item, -Inf where
// the stage gave no verdict.
func (p CascadePolicy) scores(it CascadeItem) []float64 {
	out := make([]float64, len(p.Stages))
	for s, st := range p.Stages {
		out[s] = math.Inf(-1)
		if s < len(it.Stages) && it.Stages[s].Verdict {
			out[s] = st.Calibrator.Predict(it.Stages[s].Features)
		}
	}
	return out
}

// routeScores is the stage that answers at threshold t, or -1.
func routeScores(sc []float64, t float64) int {
	for s, v := range sc {
		if v >= t {
			return s
		}
	}
	return -1
}

// Route is the stage that answers the item under the fitted policy, or -1
// when it goes to a person.
func (p CascadePolicy) Route(it CascadeItem) int {
	if !p.Found {
		return -1
	}
	return routeScores(p.scores(it), p.Threshold)
}

// StageAnswers reports whether a stage's verdict with calibrated
// probability prob answers under the policy.
func (p CascadePolicy) StageAnswers(prob float64) bool { return p.Found && prob >= p.Threshold }

// ThresholdGrid is the fixed sequence of thresholds a cascade fit tests,
// from the strictest down: every hundredth from 0.99 to 0.50. Fixing it in
// advance keeps the test valid; its coarseness makes the first tested
// answered set large enough that one early miss does not end the sequence
// at a handful of items.
func ThresholdGrid() []float64 {
	g := make([]float64, 0, 50)
	for k := 99; k >= 50; k-- {
		g = append(g, float64(k)/100)
	}
	return g
}

// chooseThreshold runs the fixed sequence over λ on the test part.
func (p *CascadePolicy) chooseThreshold(test []CascadeItem, minKept int) {
	if minKept <= 0 {
		// A quarter of the test items, fixed before any outcome is seen:
		// testing tiny answered sets first would end most sequences at
		// their first step on one unlucky miss.
		minKept = max(calibration.DefaultMinKept, len(test)/4)
	}
	sc := make([][]float64, len(test))
	for i, it := range test {
		sc[i] = p.scores(it)
	}
	for _, t := range ThresholdGrid() {
		kept, right := 0, 0
		for i, it := range test {
			if s := routeScores(sc[i], t); s >= 0 {
				kept++
				if it.Stages[s].Correct {
					right++
				}
			}
		}
		if kept < minKept {
			continue
		}
		lb := calibration.ClopperPearsonLower(right, kept, p.Risk)
		if lb < p.Target {
			break
		}
		p.Found, p.Threshold, p.LowerBound = true, t, lb
	}
}
