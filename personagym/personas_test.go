package personagym

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const allTasks = `"Expected Action":["ea?"],"Action Justification":["aj?"],"Linguistic Habits":["lh?"],"Persona Consistency":["pc?"],"Toxicity":["tc?"]`

func TestReadPersonasFixture(t *testing.T) {
	t.Parallel()
	ps, err := ReadPersonas("testdata/personas.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 {
		t.Fatalf("%d personas, want 3", len(ps))
	}
	for _, p := range ps {
		if len(p.Questions) != 5 {
			t.Errorf("line %d: %d tasks", p.Line, len(p.Questions))
		}
	}
}

func TestReadPersonasErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, text, want string
	}{
		{"missing task", `{"persona":"p","questions":{"Expected Action":["a"],"Action Justification":["b"],"Linguistic Habits":["c"],"Persona Consistency":["d"]}}`,
			`:1: questions: task "Toxicity" is missing`},
		{"empty question", `{"persona":"p","questions":{` + strings.Replace(allTasks, `["lh?"]`, `["lh?"," "]`, 1) + `}}`,
			`:1: questions["Linguistic Habits"][1]: empty question`},
		{"unknown task", `{"persona":"p","questions":{` + allTasks + `,"Humour":["ha?"]}}`,
			`:1: questions: unknown task "Humour"`},
		{"no questions in a task", `{"persona":"p","questions":{` + strings.Replace(allTasks, `["ea?"]`, `[]`, 1) + `}}`,
			`:1: questions["Expected Action"]: no questions`},
		{"empty persona on line 2", `{"persona":"p","questions":{` + allTasks + "}}\n" + `{"persona":"  "}`,
			`:2: "persona" must be a non-empty string`},
		{"unknown field", `{"persona":"p","question":{}}`, `:1: json: unknown field "question"`},
		{"not JSON on line 3", "{\"persona\":\"p\"}\n\n{oops", `:3: `},
		{"empty file", "\n", `no personas`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadPersonas(writeFile(t, "p.jsonl", tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
