package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
	"github.com/personajudge/personajudge/personagym"
	"github.com/personajudge/personajudge/store"
)

// The benchmark end to end through the real service (--local): two judge
// models by default, score examples shown and kept out of the judge
// profile, and a second run of the same command that makes no model call.
func TestRunPersonaGymLocal(t *testing.T) {
	t.Parallel()
	judge := llmfake.New(fakejudge.ContentAdherence(80))
	agent := llmfake.New(func(*llmfake.Request, int64) llmfake.Reply {
		return llmfake.Reply{Content: "Aye, I would do it my way. SCORE=4"}
	})
	gen := llmfake.New(func(*llmfake.Request, int64) llmfake.Reply {
		return llmfake.Reply{Content: `{"examples":["e1","e2","e3","e4","e5"]}`}
	})
	for _, s := range []*llmfake.Server{judge, agent, gen} {
		t.Cleanup(s.Close)
	}
	dir := t.TempDir()
	models := filepath.Join(dir, "models.json")
	cfg := fmt.Sprintf(`{"models":[{"name":"j1","base_url":%q,"max_retries":0},{"name":"j2","base_url":%q,"max_retries":0}]}`, judge.BaseURL(), judge.BaseURL())
	if err := os.WriteFile(models, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "run")
	args := []string{"--personas", "../../personagym/testdata/personas.jsonl", "--out", out, "--local", "--models", models,
		"--db", filepath.Join(dir, "pj.db"), "--progress-every", "0",
		"--agent-base-url", agent.BaseURL(), "--agent-model", "agent-1", "--agent-retries", "0",
		"--generator-base-url", gen.BaseURL(), "--generator-model", "gen-1", "--generator-retries", "0"}
	var stdout, stderr bytes.Buffer
	if err := runPersonaGym(args, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "PersonaScore over 3 personas: 4.000") {
		t.Fatalf("summary:\n%s", stdout.String())
	}
	results, err := os.ReadFile(filepath.Join(out, personagym.ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(results)), "\n")
	if len(lines) != 30 {
		t.Fatalf("%d result lines, want 30", len(lines))
	}
	var line struct {
		Result struct {
			JudgeProfile string `json:"judgeProfile"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &line); err != nil {
		t.Fatal(err)
	}
	// One profile for the task whatever the examples: both models, the
	// rubric family with "+ex".
	if p := line.Result.JudgeProfile; !strings.Contains(p, "j1+j2") && !strings.Contains(p, "j1,j2") || !strings.Contains(p, "+ex") {
		t.Errorf("judge profile %q, want both models and the +ex rubric family", p)
	}
	calls := judge.Calls() + agent.Calls() + gen.Calls()
	stdout.Reset()
	// The rerun also records the run with the service (--record-run).
	if err := runPersonaGym(append(args, "--record-run", "nightly"), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if now := judge.Calls() + agent.Calls() + gen.Calls(); now != calls {
		t.Errorf("the second run made %d model calls, want none", now-calls)
	}
	m := regexp.MustCompile(`run recorded as (\S+) \("nightly"\)`).FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no run recorded:\n%s", stdout.String())
	}
	st, err := store.Open(t.Context(), filepath.Join(dir, "pj.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	run, err := st.GetBenchmarkRun(t.Context(), m[1])
	if err != nil || run.Name != "nightly" || run.Agent != "agent-1" {
		t.Fatalf("stored run %+v, %v", run, err)
	}
	items, err := st.BenchmarkItems(t.Context(), m[1])
	if err != nil || len(items) != 30 {
		t.Fatalf("%d stored items, want 30 (%v)", len(items), err)
	}
	for _, it := range items {
		if it.Score == nil || *it.Score != 4 || it.QuestionID == "" {
			t.Fatalf("stored item %+v, want score 4 with its question", it)
		}
	}
}

func TestRunPersonaGymFlags(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "--personas and --out are required"},
		{[]string{"--personas", "p", "--out", "d"}, "--agent-base-url and --agent-model are required"},
		{[]string{"--personas", "p", "--out", "d", "--agent-base-url", "u", "--agent-model", "m", "--local"}, "--local needs --models"},
		{[]string{"--personas", "p", "--out", "d", "extra"}, `unexpected argument "extra"`},
	} {
		var o, e bytes.Buffer
		if err := runPersonaGym(tt.args, &o, &e); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.args, err, tt.want)
		}
	}
}
