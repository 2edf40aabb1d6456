package personagym

import (
	"fmt"
	"sort"
	"strings"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// taskNames maps the task names of PersonaGym's question files to the
// adherence tasks. "Toxicity" is the benchmark's name for toxicity control.
var taskNames = map[string]pb.AdherenceTaskKind{
	"Expected Action":      pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_EXPECTED_ACTION,
	"Action Justification": pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_ACTION_JUSTIFICATION,
	"Linguistic Habits":    pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_LINGUISTIC_HABITS,
	"Persona Consistency":  pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_PERSONA_CONSISTENCY,
	"Toxicity":             pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_TOXICITY_CONTROL,
}

// taskCodes are the short codes in item ids (p007.ea.q03).
var taskCodes = map[pb.AdherenceTaskKind]string{
	pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_EXPECTED_ACTION:      "ea",
	pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_ACTION_JUSTIFICATION: "aj",
	pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_LINGUISTIC_HABITS:    "lh",
	pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_PERSONA_CONSISTENCY:  "pc",
	pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_TOXICITY_CONTROL:     "tc",
}

// TaskName is the benchmark's name of a task ("Expected Action").
func TaskName(t pb.AdherenceTaskKind) string {
	for name, k := range taskNames {
		if k == t {
			return name
		}
	}
	return t.String()
}

func taskFromCode(code string) (pb.AdherenceTaskKind, bool) {
	for k, c := range taskCodes {
		if c == code {
			return k, true
		}
	}
	return 0, false
}

// parseTask reads a task name as the question files spell it.
func parseTask(name string) (pb.AdherenceTaskKind, error) {
	if t, ok := taskNames[name]; ok {
		return t, nil
	}
	known := make([]string, 0, len(taskNames))
	for n := range taskNames {
		known = append(known, fmt.Sprintf("%q", n))
	}
	sort.Strings(known)
	return 0, fmt.Errorf("unknown task %q; the tasks are %s", name, strings.Join(known, ", "))
}
