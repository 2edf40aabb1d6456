package judges

import (
	"strconv"
	"strings"

	"github.com/personajudge/personajudge/calibration"
)

// StageName names a stage by its models: one model's name, or an
// ensemble's names joined by "+" in the order given. Imported outcomes of
// a stage carry this name as their model.
func StageName(models []string) string { return strings.Join(models, "+") }

// CascadeName names a cascade with the target and risk it is certified
// for: "cheap > strong+other @0.9/0.05". A policy is fitted, stored and
// looked up under this name, so a change of stage, target or risk is a
// different cascade.
func CascadeName(stages [][]string, target, risk float64) string {
	names := make([]string, len(stages))
	for i, s := range stages {
		names[i] = StageName(s)
	}
	return strings.Join(names, " > ") + " @" + strconv.FormatFloat(target, 'g', -1, 64) + "/" + strconv.FormatFloat(risk, 'g', -1, 64)
}

// ImportedStageRecord is the record of one stage on one item from an
// imported outcome: stated certainty 1-100, whether it was right, the
// option count and, when known, position consistency (1 otherwise: a
// record without it is read as if the orders agreed). Calls counts the
// stage's models, one call per model and item, since imported records
// carry no cost.
func ImportedStageRecord(certainty float64, correct bool, options int, consistency *float64, models int) StageRecord {
	cons := 1.0
	if consistency != nil {
		cons = *consistency
	}
	return StageRecord{
		Verdict:  true,
		Correct:  correct,
		Features: StageFeatures(calibration.NormalizeCertainty(certainty), options, cons),
		Calls:    int64(models),
	}
}
