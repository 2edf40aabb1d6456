package server

import (
	"fmt"
	"math"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// MaxCascadeStages bounds a cascade: each stage is a judge run per item.
const MaxCascadeStages = 4

// validateCascade checks a cascade's stages, target and risk, naming the
// fields under the given names (JudgeConfig and FitCascadeRequest spell
// them differently).
func validateCascade(stagesField string, stages []*pb.CascadeStage, targetField string, target float64, riskField string, risk float64, known modelLookup) *fieldError {
	if len(stages) == 0 || len(stages) > MaxCascadeStages {
		return badField(stagesField, "a cascade has 1 to %d stages, got %d", MaxCascadeStages, len(stages))
	}
	for i, st := range stages {
		field := fmt.Sprintf("%s[%d].models", stagesField, i)
		if len(st.GetModels()) == 0 || len(st.GetModels()) > MaxModels {
			return badField(field, "a stage has 1 to %d models, got %d", MaxModels, len(st.GetModels()))
		}
		seen := map[string]bool{}
		for j, m := range st.Models {
			mf := fmt.Sprintf("%s[%d]", field, j)
			if !known(m) {
				return badField(mf, "unknown model %q", clip(m, 64))
			}
			if seen[m] {
				return badField(mf, "model %q listed twice", m)
			}
			seen[m] = true
		}
	}
	if !(target > 0.5 && target < 1) {
		return badField(targetField, "must be strictly between 0.5 and 1, got %v", target)
	}
	if math.IsNaN(risk) || !(risk > 0 && risk < 0.5) {
		return badField(riskField, "must be strictly between 0 and 0.5, got %v", risk)
	}
	return nil
}

// cascadeModels is the stages' model lists.
func cascadeModels(stages []*pb.CascadeStage) [][]string {
	out := make([][]string, len(stages))
	for i, st := range stages {
		out[i] = st.GetModels()
	}
	return out
}
