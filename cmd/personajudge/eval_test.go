package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/personajudge/personajudge/eval"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/sim"
)

// writeDataset generates n labelled items into a temporary file.
func writeDataset(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "items.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Generate(f, n, 1); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// evalCmd runs `eval` in this process with the given flags (zero-latency
// simulator unless the flags say otherwise) and returns its stats and
// printed summary. A modest --in-flight keeps the store's write lock from
// becoming the test's bottleneck on a loaded machine.
func evalCmd(t *testing.T, ctx context.Context, args ...string) (*eval.Summary, string, error) {
	t.Helper()
	o, err := parseEvalFlags(append([]string{"--progress", "off", "--in-flight", "16"}, args...))
	if err != nil {
		t.Fatalf("flags %v: %v", args, err)
	}
	var out bytes.Buffer
	o.stdout, o.stderr, o.localOpts.log = &out, io.Discard, io.Discard
	st, err := evalRun(ctx, o)
	return st, out.String(), err
}

// outResults reads --out: how often each item_id appears, and each
// result's status.
func outResults(t *testing.T, path string) (map[string]int, map[string]pb.JudgmentStatus) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	counts, status := map[string]int{}, map[string]pb.JudgmentStatus{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 4<<20)
	for n := 1; sc.Scan(); n++ {
		resp, _, err := eval.ParseResult(sc.Bytes())
		if err != nil {
			t.Fatalf("%s line %d: %v", path, n, err)
		}
		counts[resp.ItemId]++
		status[resp.ItemId] = resp.Status
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Fatalf("%s does not end with a newline", path)
	}
	return counts, status
}

// wantEachOnce checks that --out holds every dataset item exactly once.
func wantEachOnce(t *testing.T, out string, n int) map[string]pb.JudgmentStatus {
	t.Helper()
	counts, status := outResults(t, out)
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("item-%06d", i)
		if counts[id] != 1 {
			t.Errorf("%s appears %d times in --out", id, counts[id])
		}
	}
	if len(counts) != n {
		t.Errorf("--out holds %d distinct items, want %d", len(counts), n)
	}
	return status
}

// Every item is answered exactly once; a second run over the same
// database is answered entirely from the cache.
func TestEvalLocalAnswersOnceAndSecondRunIsFree(t *testing.T) {
	t.Parallel()
	const n = 300
	in, dir := writeDataset(t, n), t.TempDir()
	db := filepath.Join(dir, "pj.db")
	st, summary, err := evalCmd(t, t.Context(), "--local", "--in", in, "--out", filepath.Join(dir, "r1.jsonl"), "--db", db, "--accuracy", "0.9")
	if err != nil {
		t.Fatalf("%v\n%s", err, summary)
	}
	wantEachOnce(t, filepath.Join(dir, "r1.jsonl"), n)
	if st.Judged != n || st.LLMCalls != 2*n || st.SimulatorCalls != 2*n || st.Labelled != n {
		t.Fatalf("first run: judged %d, LLM calls %d, simulator calls %d, labelled %d; want %d, %d, %d, %d",
			st.Judged, st.LLMCalls, st.SimulatorCalls, st.Labelled, n, 2*n, 2*n, n)
	}
	for _, want := range []string{"VERDICT", "accuracy", "consistency", "high certainty", "LLM calls       600", "judgments/s"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	if acc := float64(st.Correct) / float64(st.LabelledVerdicts); acc < 0.9 {
		t.Errorf("accuracy on verdicts %.3f, want above the single-call 0.9 (both orders must agree)", acc)
	}

	st2, summary2, err := evalCmd(t, t.Context(), "--local", "--in", in, "--out", filepath.Join(dir, "r2.jsonl"), "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	wantEachOnce(t, filepath.Join(dir, "r2.jsonl"), n)
	if st2.LLMCalls != 0 || st2.SimulatorCalls != 0 || st2.CacheHits != 2*n {
		t.Fatalf("second run: LLM calls %d, simulator calls %d, cache hits %d; want 0, 0, %d\n%s", st2.LLMCalls, st2.SimulatorCalls, st2.CacheHits, 2*n, summary2)
	}
	if !strings.Contains(summary2, "LLM calls       0 (cache hits 600)") {
		t.Errorf("second summary:\n%s", summary2)
	}
}

// A crash can leave --out cut anywhere; resuming judges exactly what is
// missing, and the cache makes the repeat free.
func TestEvalResumeAfterTruncation(t *testing.T) {
	t.Parallel()
	const n = 200
	in, dir := writeDataset(t, n), t.TempDir()
	db, full := filepath.Join(dir, "pj.db"), filepath.Join(dir, "full.jsonl")
	if _, out, err := evalCmd(t, t.Context(), "--local", "--in", in, "--out", full, "--db", db); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	whole, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	lineEnd := bytes.IndexByte(whole[len(whole)/2:], '\n') + len(whole)/2 + 1
	for _, tc := range []struct {
		name string
		cut  []byte
	}{
		{"torn mid-line", whole[:len(whole)*2/5]},
		{"at a line boundary", whole[:lineEnd]},
		{"torn line ending in a newline", append(bytes.Clone(whole[:lineEnd]), []byte("{\"itemId\":\"item-0\n")...)},
		{"empty", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "r.jsonl")
			if err := os.WriteFile(out, tc.cut, 0o644); err != nil {
				t.Fatal(err)
			}
			kept, _ := completeLines(tc.cut)
			st, summary, err := evalCmd(t, t.Context(), "--local", "--in", in, "--out", out, "--db", db)
			if err != nil {
				t.Fatalf("%v\n%s", err, summary)
			}
			wantEachOnce(t, out, n)
			if st.Skipped != kept || st.Judged != n-kept || st.Results != n {
				t.Fatalf("skipped %d, judged %d, results %d; want %d, %d, %d", st.Skipped, st.Judged, st.Results, kept, n-kept, n)
			}
			if st.LLMCalls != 0 {
				t.Errorf("resume made %d LLM calls; the cache has every answer", st.LLMCalls)
			}
		})
	}
}

// completeLines counts the readable result lines that end in a newline.
func completeLines(b []byte) (int, error) {
	n := 0
	for _, l := range bytes.SplitAfter(b, []byte("\n")) {
		if len(l) > 0 && l[len(l)-1] == '\n' {
			if _, _, err := eval.ParseResult(l); err == nil {
				n++
			}
		}
	}
	return n, nil
}

// An interrupted run keeps what arrived, says so, and resumes cleanly.
func TestEvalInterruptThenResume(t *testing.T) {
	t.Parallel()
	const n = 300
	in, dir := writeDataset(t, n), t.TempDir()
	out, db := filepath.Join(dir, "r.jsonl"), filepath.Join(dir, "pj.db")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		// Interrupt once some results are durable, whenever that is.
		// Nothing signals a synced line, so poll --out until the run ends.
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			if b, _ := os.ReadFile(out); bytes.Count(b, []byte("\n")) >= 30 {
				cancel()
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	base := []string{"--local", "--in", in, "--out", out, "--db", db}
	st, _, err := evalCmd(t, ctx, append(base, "--sync-every", "5ms", "--latency", "20ms", "--max-concurrency", "4")...)
	if err == nil || !strings.Contains(err.Error(), "interrupted") || !strings.Contains(err.Error(), "run the same command again to resume") {
		t.Fatalf("interrupted run: err %v after %d results", err, st.Judged)
	}
	if st.Judged >= n {
		t.Fatalf("the interrupt came after every item was judged")
	}
	counts, _ := outResults(t, out)
	if len(counts) != st.Judged {
		t.Fatalf("--out holds %d items, the run reported %d", len(counts), st.Judged)
	}
	st2, summary, err := evalCmd(t, t.Context(), base...)
	if err != nil {
		t.Fatalf("%v\n%s", err, summary)
	}
	wantEachOnce(t, out, n)
	if st2.Skipped != st.Judged || st2.Results != n {
		t.Fatalf("resume skipped %d (want %d), results %d (want %d)", st2.Skipped, st.Judged, st2.Results, n)
	}
}

// With the simulator injecting 429s, 500s and malformed output, every item
// is still accounted for: a verdict, an abstention or a judge error.
func TestEvalUnderFaultsLosesNothing(t *testing.T) {
	t.Parallel()
	const n = 200
	in, dir := writeDataset(t, n), t.TempDir()
	out := filepath.Join(dir, "r.jsonl")
	st, summary, err := evalCmd(t, t.Context(), "--local", "--in", in, "--out", out,
		"--rate-429", "0.05", "--rate-500", "0.02", "--rate-malformed", "0.02", "--retry-after", "1ms")
	if err != nil {
		t.Fatalf("%v\n%s", err, summary)
	}
	status := wantEachOnce(t, out, n)
	var accounted int
	for _, s := range status {
		switch s {
		case pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT, pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN, pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR:
			accounted++
		}
	}
	if accounted != n {
		t.Fatalf("%d of %d items have a final status", accounted, n)
	}
	// The faults happened, and retries and re-asks absorbed them.
	if st.SimulatorCalls <= 2*n || st.LLMCalls <= 2*n {
		t.Fatalf("simulator saw %d calls, service counted %d, for %d items: no faults were injected", st.SimulatorCalls, st.LLMCalls, n)
	}
	if st.ByStatus[pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT] < n/2 {
		t.Fatalf("only %d verdicts:\n%s", st.ByStatus[pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT], summary)
	}
}

// Items that failed while the backend was failing are judged again with
// --retry-errors, and still appear once each.
func TestEvalRetryErrors(t *testing.T) {
	t.Parallel()
	const n = 100
	in, dir := writeDataset(t, n), t.TempDir()
	out := filepath.Join(dir, "r.jsonl")
	st, summary, err := evalCmd(t, t.Context(), "--local", "--in", in, "--out", out, "--rate-500", "0.3", "--max-retries", "0", "--max-reasks", "0")
	if err != nil {
		t.Fatalf("%v\n%s", err, summary)
	}
	failed := st.ByStatus[pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR]
	if failed == 0 {
		t.Fatal("no judge errors to retry")
	}
	st, summary, err = evalCmd(t, t.Context(), "--local", "--in", in, "--out", out, "--retry-errors")
	if err != nil {
		t.Fatalf("%v\n%s", err, summary)
	}
	status := wantEachOnce(t, out, n)
	if st.Retried != failed || st.Judged != failed || st.ByStatus[pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR] != 0 {
		t.Fatalf("retried %d, judged %d, judge errors now %d; want %d, %d, 0", st.Retried, st.Judged, st.ByStatus[pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR], failed, failed)
	}
	for id, s := range status {
		if s == pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR {
			t.Errorf("%s is still a judge error", id)
		}
	}
}

// With position bias, a single order looks decisive and is often wrong;
// both orders expose the bias as abstentions and raise verdict accuracy.
func TestEvalOrderPolicyOverride(t *testing.T) {
	t.Parallel()
	const n = 200
	in := writeDataset(t, n)
	run := func(policy string) *eval.Summary {
		st, summary, err := evalCmd(t, t.Context(), "--local", "--in", in, "--out", filepath.Join(t.TempDir(), "r.jsonl"),
			"--position-bias", "0.3", "--accuracy", "0.9", "--order-policy", policy)
		if err != nil {
			t.Fatalf("%v\n%s", err, summary)
		}
		return st
	}
	single, swapped := run("single"), run("cyclic")
	if single.LLMCalls != n || swapped.LLMCalls != 2*n {
		t.Fatalf("LLM calls single %d, swapped %d; want %d and %d", single.LLMCalls, swapped.LLMCalls, n, 2*n)
	}
	if single.ByStatus[pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN] != 0 || swapped.ByStatus[pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN] == 0 {
		t.Fatalf("abstentions single %d, swapped %d", single.ByStatus[pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN], swapped.ByStatus[pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN])
	}
	accS := float64(single.Correct) / float64(single.LabelledVerdicts)
	accW := float64(swapped.Correct) / float64(swapped.LabelledVerdicts)
	if accW <= accS+0.05 {
		t.Fatalf("verdict accuracy single %.3f, swapped %.3f: swapping should help under position bias", accS, accW)
	}
}

// --fail-on gates a run: a rule that holds fails the command and is named;
// rules that do not hold let it pass.
func TestEvalFailOn(t *testing.T) {
	t.Parallel()
	in := writeDataset(t, 40)
	dir := t.TempDir()
	for _, tt := range []struct {
		rules   string
		wantErr string
	}{
		{"coverage<0.99", "1 of 1 --fail-on rules breached"},
		{"judge_error_rate>0.5,accuracy<0.01", ""},
	} {
		o, err := parseEvalFlags([]string{"--progress", "off", "--local", "--in", in, "--out", filepath.Join(dir, strings.NewReplacer("<", "lt", ">", "gt", ",", "_").Replace(tt.rules)+".jsonl"), "--fail-on", tt.rules})
		if err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		o.stdout, o.stderr, o.localOpts.log = &out, &errOut, io.Discard
		s, err := evalRun(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		o.summaryJSON, o.junit = filepath.Join(dir, "summary.json"), filepath.Join(dir, "junit.xml")
		if err := writeReports(o, s, nil); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{o.summaryJSON, o.junit} {
			metric := strings.FieldsFunc(tt.rules, func(r rune) bool { return r == '<' || r == '>' })[0]
			if b, err := os.ReadFile(p); err != nil || !strings.Contains(string(b), metric) {
				t.Fatalf("%s does not name the rule's metric %q (err %v)", p, metric, err)
			}
		}
		err = checkGates(o, s)
		if tt.wantErr == "" {
			if err != nil || !strings.Contains(out.String(), "all 2 --fail-on rules hold") {
				t.Fatalf("%s: err %v, output %q", tt.rules, err, out.String())
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(errOut.String(), "--fail-on breached: coverage<0.99: coverage is") {
			t.Fatalf("%s: err %v, stderr %q", tt.rules, err, errOut.String())
		}
	}
}
