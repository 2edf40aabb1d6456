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
	// The no-persona control shows no persona; one sent with it would be
	// silently ignored, so it is refused.
	if p.WithoutPersona && p.Persona != "" {
		return badField("preference.persona", "must be empty with without_persona (the no-persona control)")
	}
	for _, f := range []struct {
		name, text string
		limit      int
		required   bool
	}{
		{"preference.persona", p.Persona, MaxPersonaBytes, !p.WithoutPersona},
		{"preference.query", p.Query, MaxQueryBytes, true},
		{"preference.response_a", p.ResponseA, MaxResponseBytes, true},
		{"preference.response_b", p.ResponseB, MaxResponseBytes, true},
	} {
		if err := checkText(f.name, f.text, f.limit, f.required); err != nil {
			return err
		}
	}
	if strings.TrimSpace(p.ResponseA) == strings.TrimSpace(p.ResponseB) {
		return badField("preference.response_b", "is identical to response_a; there is nothing to prefer")
	}
	return nil
}
