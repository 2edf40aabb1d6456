package importers

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// PJJudgment is one judge model's recorded answer on one item of the
// Personalized-Judge extract, keyed by the item's pair_key so that several
// judges' records of the same item line up.
type PJJudgment struct {
	PairKey string
	Model   string
	// Answered: the answer is A or B (garbage answers are kept, unanswered).
	Answered bool
	// First: the answer is A. FirstTrue: the ground truth is A.
	First, FirstTrue bool
	Correct          bool
	// Certainty is the stated certainty 1..100 (1 when missing, clamped).
	Certainty float64
}

// PJFilter picks the rows of one experiment.
type PJFilter struct {
	Task            string // PR, EC, PRISM
	PersonaFeatures string // all, key_features, least_imp_feature
}

// ReadPJAligned reads the with_persona_certainty rows of one experiment of
// a Personalized-Judge judgments.csv, grouped by judge model and pair_key.
// A pair_key recorded more than once for one model (two upstream runs of
// the same experiment) keeps its first record; repeats counts the others.
func ReadPJAligned(r io.Reader, f PJFilter) (byModel map[string]map[string]PJJudgment, repeats int, err error) {
	t, err := newCSVTable(r, "task", "setting", "persona_features", "judge_model", "pair_key", "ground_truth", "answer", "certainty", "correct")
	if err != nil {
		return nil, 0, err
	}
	out := map[string]map[string]PJJudgment{}
	for {
		rec, err := t.next()
		if errors.Is(err, io.EOF) {
			return out, repeats, nil
		}
		if err != nil {
			return nil, 0, err
		}
		if t.get(rec, "setting") != "with_persona_certainty" || t.get(rec, "task") != f.Task || t.get(rec, "persona_features") != f.PersonaFeatures {
			continue
		}
		j := PJJudgment{PairKey: t.get(rec, "pair_key"), Model: t.get(rec, "judge_model"), FirstTrue: t.get(rec, "ground_truth") == "A"}
		if j.PairKey == "" || j.Model == "" {
			return nil, 0, fmt.Errorf("line %d: pair_key or judge_model is empty", t.line)
		}
		a := t.get(rec, "answer")
		j.Answered, j.First = a == "A" || a == "B", a == "A"
		j.Correct = t.get(rec, "correct") == "1"
		j.Certainty = 1
		if c, err := strconv.ParseFloat(t.get(rec, "certainty"), 64); err == nil && !math.IsNaN(c) {
			j.Certainty = math.Max(1, math.Min(100, c))
		}
		byKey := out[j.Model]
		if byKey == nil {
			byKey = map[string]PJJudgment{}
			out[j.Model] = byKey
		}
		if _, ok := byKey[j.PairKey]; ok {
			repeats++
			continue
		}
		byKey[j.PairKey] = j
	}
}
