package server

import (
	"strings"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
)

func preferenceTask(p *pb.PersonalizedPreferenceTask, cfg *pb.JudgeConfig, check bool) (judges.Task, *fieldError) {
	if check {
		if fe := validatePreference(p); fe != nil {
			return nil, fe
		}
	}
	return &judges.Preference{Item: p, AllowTie: cfg.GetAllowTie()}, nil
}

func validatePreference(p *pb.PersonalizedPreferenceTask) *fieldError {
	for _, f := range []struct {
		name, text string
		limit      int
	}{
		{"preference.persona", p.Persona, MaxPersonaBytes},
		{"preference.query", p.Query, MaxQueryBytes},
		{"preference.response_a", p.ResponseA, MaxResponseBytes},
		{"preference.response_b", p.ResponseB, MaxResponseBytes},
	} {
		if err := checkText(f.name, f.text, f.limit, true); err != nil {
			return err
		}
	}
	if strings.TrimSpace(p.ResponseA) == strings.TrimSpace(p.ResponseB) {
		return badField("preference.response_b", "is identical to response_a; there is nothing to prefer")
	}
	return nil
}
