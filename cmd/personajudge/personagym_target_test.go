package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/personajudge/personajudge/eval"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
	"github.com/personajudge/personajudge/personagym"
)

// TestPersonaGymTargets runs the full benchmark file, opt-in:
//
//	PJ_PERSONAGYM=../../../shared/data/personagym/benchmark-v1-questions.jsonl \
//	  go test -run TestPersonaGymTargets -timeout 30m -v ./cmd/personajudge/
//
// A judge and two agents, each an in-process OpenAI-compatible backend
// answering after 100 ms, with 64 calls in flight per model. Agent A's
// answers earn 3, 4 or 5 (drawn per answer); agent B's the same, from
// draws of its own, except that on Linguistic Habits 30% of its answers
// lose a level (0.3 worse). It reports judged answers/s against the judge
// backend's limit (64 calls / 100 ms, two calls per answer), kills run A
// mid-way and reruns it (every answer judged exactly once), reruns the
// complete run (no model call), and compares B with A.
func TestPersonaGymTargets(t *testing.T) {
	file := os.Getenv("PJ_PERSONAGYM")
	if file == "" {
		t.Skip("set PJ_PERSONAGYM to a personas file (the benchmark's) to run the targets")
	}
	personas, err := personagym.ReadPersonas(file)
	if err != nil {
		t.Fatal(err)
	}
	linguistic := map[string]bool{}
	for _, p := range personas {
		for task, qs := range p.Questions {
			if personagym.TaskName(task) == "Linguistic Habits" {
				for _, q := range qs {
					linguistic[q] = true
				}
			}
		}
	}
	const latency, conc = 100 * time.Millisecond, 64
	judge := llmfake.New(delayed(fakejudge.ContentAdherence(80), latency))
	t.Cleanup(judge.Close)
	agentOf := func(name string, planted bool) *llmfake.Server {
		s := llmfake.New(func(r *llmfake.Request, _ int64) llmfake.Reply {
			h := sha256.Sum256([]byte(name + "\x00" + r.System() + "\x00" + r.User()))
			score := 3 + int(h[0])%3
			if planted && linguistic[r.User()] && int(h[1])%10 < 3 {
				score--
			}
			// The agent's name in the text keeps the two runs' answers
			// apart, so B's judgments never come from A's cached calls.
			return llmfake.Reply{Content: fmt.Sprintf("Agent %s, in character as ever. SCORE=%d", name, score), Delay: latency}
		})
		t.Cleanup(s.Close)
		return s
	}
	agentA, agentB := agentOf("A", false), agentOf("B", true)
	dir := t.TempDir()
	models := filepath.Join(dir, "models.json")
	cfg := fmt.Sprintf(`{"models":[{"name":"judge","base_url":%q,"max_concurrency":%d,"max_retries":0}]}`, judge.BaseURL(), conc)
	if err := os.WriteFile(models, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	args := func(agent *llmfake.Server, out string) []string {
		return []string{"--personas", file, "--out", out, "--local", "--models", models, "--db", filepath.Join(dir, "pj.db"),
			"--score-examples=false", "--progress-every", "0", "--in-flight", "256",
			"--agent-base-url", agent.BaseURL(), "--agent-model", "agent", "--agent-concurrency", fmt.Sprint(conc), "--agent-retries", "0"}
	}
	runA, runB := filepath.Join(dir, "a"), filepath.Join(dir, "b")

	// Kill run A mid-way: the judge has answered a few thousand calls.
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		judge.WaitCalls(ctx, 6000)
		cancel()
	}()
	var out, errOut bytes.Buffer
	err = runPersonaGymCtx(ctx, args(agentA, runA), &out, &errOut)
	cancel()
	t.Logf("run A killed mid-way: %v", err)
	out.Reset()
	if err := runPersonaGym(args(agentA, runA), &out, &errOut); err != nil {
		t.Fatalf("resume: %v\n%s", err, errOut.String())
	}
	t.Logf("run A resumed:\n%s", out.String())
	ids := resultCounts(t, filepath.Join(runA, personagym.ResultsFile))
	for id, n := range ids {
		if n != 1 {
			t.Errorf("item %s has %d results", id, n)
		}
	}
	t.Logf("run A: %d answers, each with one result", len(ids))

	// Throughput: run B from scratch.
	out.Reset()
	if err := runPersonaGym(args(agentB, runB), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	t.Logf("run B:\n%s", out.String())
	limit := float64(conc) / latency.Seconds() / 2
	var s personagym.Summary
	readJSON(t, filepath.Join(runB, personagym.SummaryFile), &s)
	rate := float64(s.JudgedThisRun) / s.JudgeWall
	t.Logf("judged answers/s %.1f against a backend limit of %.0f: %.0f%%", rate, limit, 100*rate/limit)

	// A second run of the same inputs makes no model call.
	calls := judge.Calls() + agentB.Calls()
	if err := runPersonaGym(args(agentB, runB), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if now := judge.Calls() + agentB.Calls(); now != calls {
		t.Errorf("rerun made %d model calls", now-calls)
	}
	c, err := personagym.Compare(filepath.Join(runA, personagym.ResultsFile), filepath.Join(runB, personagym.ResultsFile), 1, 2000)
	if err != nil {
		t.Fatal(err)
	}
	var cmp bytes.Buffer
	c.Print(&cmp, 0.01)
	t.Logf("B vs A:\n%s", cmp.String())
	for _, tc := range c.Tasks {
		if (tc.PValue < 0.01) != (tc.Task == "Linguistic Habits") {
			t.Errorf("%s: p=%.4f", tc.Task, tc.PValue)
		}
	}
}

func delayed(b llmfake.Behavior, d time.Duration) llmfake.Behavior {
	return func(r *llmfake.Request, n int64) llmfake.Reply {
		rep := b(r, n)
		rep.Delay = d
		return rep
	}
}

func resultCounts(t *testing.T, path string) map[string]int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		r, _, err := eval.ParseResult(sc.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		ids[r.ItemId]++
	}
	return ids
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}
