package cascadeeval

import (
	"fmt"
	"hash/fnv"
	"sort"

	"github.com/personajudge/personajudge/calibration"
	"github.com/personajudge/personajudge/importers"
	"github.com/personajudge/personajudge/judges"
)

// RecordedResult is a cascade and a panel fitted on one half of the
// aligned items and measured on the other.
type RecordedResult struct {
	Stages       []string             `json:"stages"`
	Items        int                  `json:"items"` // items every stage recorded
	CalItems     int                  `json:"calibration_items"`
	HeldOutItems int                  `json:"held_out_items"`
	Policy       judges.CascadePolicy `json:"policy"`
	HeldOut      judges.CascadeReport `json:"held_out"`
	// StageAgreement is each stage's held-out agreement on its own verdicts.
	StageAgreement []float64               `json:"stage_agreement"`
	Panel          calibration.PanelReport `json:"panel"`
	// PanelThreshold is the panel's confidence threshold certified at the
	// same target and risk; PanelCoverage and PanelAgreement what it
	// answers of the held-out half.
	PanelThreshold calibration.FixedSequenceResult `json:"panel_threshold"`
	PanelCoverage  float64                         `json:"panel_coverage"`
	PanelAgreement float64                         `json:"panel_agreement"`
}

// Recorded fits the cascade stages (judge models, in order) of the
// recorded judgments at target and risk on the items whose pair_key hashes
// into the calibration half and reports the other half.
func Recorded(byModel map[string]map[string]importers.PJJudgment, stages []string, target, risk float64, fitCalibrators bool) (RecordedResult, error) {
	res := RecordedResult{Stages: stages}
	for _, m := range stages {
		if _, ok := byModel[m]; !ok {
			return res, fmt.Errorf("stage model %q has no records", m)
		}
	}
	var keys []string
	for k := range byModel[stages[0]] {
		all := true
		for _, m := range stages[1:] {
			if _, ok := byModel[m][k]; !ok {
				all = false
			}
		}
		if all {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	res.Items = len(keys)
	var cal, held []string
	for _, k := range keys {
		if half(k) {
			cal = append(cal, k)
		} else {
			held = append(held, k)
		}
	}
	res.CalItems, res.HeldOutItems = len(cal), len(held)
	items := func(keys []string) []judges.CascadeItem {
		out := make([]judges.CascadeItem, len(keys))
		for i, k := range keys {
			out[i].Key = k
			for _, m := range stages {
				j := byModel[m][k]
				out[i].Stages = append(out[i].Stages, judges.StageRecord{
					Verdict:  j.Answered,
					Correct:  j.Answered && j.Correct,
					Features: judges.StageFeatures(calibration.NormalizeCertainty(j.Certainty), 2, 1),
					Calls:    1,
				})
			}
		}
		return out
	}
	pol, err := judges.FitCascade(items(cal), judges.CascadeSpec{Stages: stages, Target: target, Risk: risk, FitCalibrators: fitCalibrators})
	if err != nil {
		return res, err
	}
	res.Policy = pol
	res.HeldOut = pol.Evaluate(items(held))
	heldItems := items(held)
	for s := range stages {
		right, n := 0, 0
		for _, it := range heldItems {
			if it.Stages[s].Verdict {
				n++
				if it.Stages[s].Correct {
					right++
				}
			}
		}
		res.StageAgreement = append(res.StageAgreement, float64(right)/float64(max(n, 1)))
	}
	votes := func(keys []string) ([][]calibration.PanelVote, []bool) {
		vs, first := make([][]calibration.PanelVote, len(keys)), make([]bool, len(keys))
		for i, k := range keys {
			// pair_key ignores the order the pair was shown in, so each
			// judge's A may be another's B. The first stage's A is the
			// common "first option": a judge picked it when its pick was
			// right exactly if that option is the true one.
			ref := byModel[stages[0]][k].FirstTrue
			first[i] = ref
			for _, m := range stages {
				j := byModel[m][k]
				vs[i] = append(vs[i], calibration.PanelVote{Answered: j.Answered, First: j.Answered && j.Correct == ref, Certainty: calibration.NormalizeCertainty(j.Certainty)})
			}
		}
		return vs, first
	}
	if err := res.panel(cal, held, votes, target, risk); err != nil {
		return res, err
	}
	return res, nil
}

// panel fits the calibrated panel on the first part of the calibration
// half, certifies its confidence threshold on the second, and reports the
// held-out half.
func (res *RecordedResult) panel(cal, held []string, votes func([]string) ([][]calibration.PanelVote, []bool), target, risk float64) error {
	var fitKeys, testKeys []string
	for i, k := range cal {
		if i%2 == 0 {
			fitKeys = append(fitKeys, k)
		} else {
			testKeys = append(testKeys, k)
		}
	}
	fv, ff := votes(fitKeys)
	cv, cf := votes(cal)
	hv, hf := votes(held)
	rep, err := calibration.ComparePanel(res.Stages, cv, cf, hv, hf)
	if err != nil {
		return err
	}
	res.Panel = rep
	p, err := calibration.FitPanel(res.Stages, fv, ff)
	if err != nil {
		return err
	}
	conf := func(vs [][]calibration.PanelVote, first []bool) ([]float64, []bool) {
		c, right := make([]float64, len(vs)), make([]bool, len(vs))
		for i, v := range vs {
			pf := p.ProbFirst(v)
			c[i], right[i] = max(pf, 1-pf), (pf >= 0.5) == first[i]
		}
		return c, right
	}
	tv, tf := votes(testKeys)
	tc, tr := conf(tv, tf)
	th, err := calibration.FixedSequence{Target: target, Alpha: risk}.Choose(tc, tr)
	if err != nil {
		return err
	}
	res.PanelThreshold = th
	if th.Found {
		hc, hr := conf(hv, hf)
		kept, right := 0, 0
		for i, c := range hc {
			if c >= th.Threshold.Threshold {
				kept++
				if hr[i] {
					right++
				}
			}
		}
		res.PanelCoverage = float64(kept) / float64(max(len(hc), 1))
		res.PanelAgreement = float64(right) / float64(max(kept, 1))
	}
	return nil
}

// half puts an item in the calibration half by a hash of its key (salted
// apart from the fit/test split inside FitCascade).
func half(key string) bool {
	h := fnv.New64a()
	h.Write([]byte("calibration-half:" + key))
	return h.Sum64()%2 == 0
}
