package cascadeeval

import (
	"fmt"
	"math/rand/v2"

	"github.com/personajudge/personajudge/calibration"
	"github.com/personajudge/personajudge/internal/sim"
	"github.com/personajudge/personajudge/judges"
)

// SimModel is one simulated judge model of a cascade and what a call of it
// costs (in units of the cheapest call).
type SimModel struct {
	Name   string
	Config sim.Config
	Cost   int64
}

// DefaultSimModels are the two models of the simulation target: a cheap
// judge right on about 70% of single calls with informative certainty, and
// a strong one right on about 85% that costs ten times as much.
func DefaultSimModels() []SimModel {
	cheap, strong := sim.DefaultConfig(), sim.DefaultConfig()
	cheap.Accuracy, cheap.Seed = 0.70, 11
	strong.Accuracy, strong.Seed = 0.85, 12
	return []SimModel{{Name: "cheap", Config: cheap, Cost: 1}, {Name: "strong", Config: strong, Cost: 10}}
}

// SimItems judges n synthetic items with every model position-fair (both
// orders, as the engine does for a pairwise preference without ties): the
// orders agreeing give a verdict with their mean certainty, disagreeing
// orders an abstention that escalates. Tokens hold each stage's cost (two
// calls at its Cost); Calls the calls made.
func SimItems(models []SimModel, n int) ([]judges.CascadeItem, error) {
	sims := make([]*sim.Sim, len(models))
	for i, m := range models {
		s, err := sim.New(m.Config)
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", m.Name, err)
		}
		sims[i] = s
	}
	items := make([]judges.CascadeItem, n)
	for i := range items {
		persona, query := fmt.Sprintf("persona %d", i), fmt.Sprintf("query %d", i)
		a, b := fmt.Sprintf("response %d-a", i), fmt.Sprintf("response %d-b", i)
		items[i].Key = fmt.Sprintf("sim-%d", i)
		for m, s := range sims {
			ab := s.Decide(sim.Call{Persona: persona, Query: query, First: a, Second: b})
			ba := s.Decide(sim.Call{Persona: persona, Query: query, First: b, Second: a})
			// Map each order's pick back to a canonical option: 0 is a, 1 is b.
			pickAB := map[string]int{"A": 0, "B": 1}[ab.Label]
			pickBA := map[string]int{"A": 1, "B": 0}[ba.Label]
			certainty := calibration.NormalizeCertainty(float64(ab.Certainty+ba.Certainty) / 2)
			agree := pickAB == pickBA
			items[i].Stages = append(items[i].Stages, judges.StageRecord{
				Verdict:  agree,
				Correct:  agree && ab.Correct,
				Features: judges.StageFeatures(certainty, 2, 1),
				Calls:    2,
				Tokens:   2 * models[m].Cost,
			})
		}
	}
	return items, nil
}

// SplitsResult summarizes a cascade fitted and measured over many random
// calibration/test splits of the same items.
type SplitsResult struct {
	Splits int `json:"splits"`
	// Certified counts splits where a threshold was certified; Met those
	// whose realized test agreement reached the target (a split without a
	// certified threshold answers nothing and so never misses it).
	Certified int `json:"certified"`
	Met       int `json:"met"`
	// Mean test figures over the splits.
	Coverage  float64 `json:"coverage"`
	Agreement float64 `json:"agreement"`
	// LastStageCallShare is the mean share of items that reached the last
	// stage: its calls against always using it.
	LastStageCallShare float64 `json:"last_stage_call_share"`
	CostPerItem        float64 `json:"cost_per_item"` // in cheapest-call units (Tokens)
	LastStageCost      float64 `json:"last_stage_cost_per_item"`
	// MinAgreement is the lowest realized agreement of a certified split.
	MinAgreement float64 `json:"min_agreement"`
}

// Splits fits and measures the cascade over `splits` random halvings of
// the items, each seeded by its index.
func Splits(items []judges.CascadeItem, stages []string, target, risk float64, splits int, fitCalibrators bool) (SplitsResult, error) {
	res := SplitsResult{Splits: splits, MinAgreement: 1}
	for s := range splits {
		r := rand.New(rand.NewPCG(uint64(s), 17))
		perm := r.Perm(len(items))
		cal := make([]judges.CascadeItem, 0, len(items)/2)
		test := make([]judges.CascadeItem, 0, len(items)-len(items)/2)
		for i, p := range perm {
			it := items[p]
			// Salt the key per split, so FitCascade's own fit/test halving
			// differs between splits too.
			it.Key = fmt.Sprintf("%d/%s", s, it.Key)
			if i < len(items)/2 {
				cal = append(cal, it)
			} else {
				test = append(test, it)
			}
		}
		pol, err := judges.FitCascade(cal, judges.CascadeSpec{Stages: stages, Target: target, Risk: risk, FitCalibrators: fitCalibrators})
		if err != nil {
			return res, err
		}
		rep := pol.Evaluate(test)
		if pol.Found {
			res.Certified++
			res.MinAgreement = min(res.MinAgreement, rep.Agreement)
		}
		if !pol.Found || rep.Agreement >= target {
			res.Met++
		}
		res.Coverage += rep.Coverage
		res.Agreement += rep.Agreement
		res.LastStageCallShare += rep.Stages[len(stages)-1].ReachedShare
		res.CostPerItem += rep.TokensPerItem
		res.LastStageCost += rep.LastStageTokensPerItem
	}
	n := float64(max(splits, 1))
	res.Coverage /= n
	res.Agreement /= n
	res.LastStageCallShare /= n
	res.CostPerItem /= n
	res.LastStageCost /= n
	return res, nil
}
