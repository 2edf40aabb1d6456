package server

import (
	"strconv"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
)

// Adherence limits, besides MaxPersonaBytes for the persona. A rubric level
// is a sentence or two; an example is a short answer.
const (
	MaxSettingBytes       = 16_000
	MaxQuestionBytes      = 16_000
	MaxAnswerBytes        = 32_000
	MaxRubricLevelBytes   = 4_000
	MaxRubricExampleBytes = 8_000
)

func adherenceTask(a *pb.PersonaAdherenceTask, check bool) (judges.Task, *fieldError) {
	if !check {
		return &judges.Adherence{Item: a}, nil
	}
	if fe := validateAdherence(a); fe != nil {
		return nil, fe
	}
	t, err := judges.NewAdherence(a)
	if err != nil {
		// validateAdherence names the field; this is a backstop.
		return nil, badField("adherence", "%v", err)
	}
	return t, nil
}

func validateAdherence(a *pb.PersonaAdherenceTask) *fieldError {
	if err := checkText("adherence.persona", a.Persona, MaxPersonaBytes, true); err != nil {
		return err
	}
	return validateAdherenceItem("adherence.", a.Task, a.Setting, a.Question, a.Answer, a.CustomRubric)
}

// validateAdherenceItem checks everything of an adherence item but the
// persona. prefix names where the item sits ("adherence." in Score,
// "items[3]." in PersonaScore), so the error names the caller's field.
func validateAdherenceItem(prefix string, task pb.AdherenceTaskKind, setting, question, answer string, rubric *pb.Rubric) *fieldError {
	if _, ok := judges.BuiltinRubric(task); !ok {
		return badField(prefix+"task", "must be one of the five adherence tasks, got %v", task)
	}
	for _, f := range []struct {
		name, text string
		limit      int
		required   bool
	}{
		{"setting", setting, MaxSettingBytes, false},
		{"question", question, MaxQuestionBytes, true},
		{"answer", answer, MaxAnswerBytes, true},
	} {
		if err := checkText(prefix+f.name, f.text, f.limit, f.required); err != nil {
			return err
		}
	}
	if rubric == nil {
		return nil
	}
	field := prefix + "custom_rubric."
	// No levels keeps the built-in ones, which then need the examples
	// (PersonaGym's mode: built-in rubric, examples written per question).
	if n := len(rubric.Levels); n != judges.RubricLevels && (n != 0 || len(rubric.Examples) == 0) {
		return badField(field+"levels", "must have exactly %d levels (levels[0] describes score 1), or none with %d examples to keep the built-in levels; got %d", judges.RubricLevels, judges.RubricLevels, len(rubric.Levels))
	}
	for i, l := range rubric.Levels {
		if err := checkText(field+"levels["+strconv.Itoa(i)+"]", l, MaxRubricLevelBytes, true); err != nil {
			return err
		}
	}
	if n := len(rubric.Examples); n != 0 && n != judges.RubricLevels {
		return badField(field+"examples", "give none or exactly %d examples, one per level; got %d", judges.RubricLevels, n)
	}
	for i, e := range rubric.Examples {
		if err := checkText(field+"examples["+strconv.Itoa(i)+"]", e, MaxRubricExampleBytes, true); err != nil {
			return err
		}
	}
	return nil
}
