package main

import (
	"bufio"
	"encoding/json"
	"github.com/personajudge/personajudge/internal/testwait"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

// kill -9 of the server in the middle of an eval run, a restart on the same
// database, and the same eval command again: every item is answered
// exactly once in --out.
func TestEvalSurvivesServerKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it mid-run")
	}
	const n = 300
	bin := buildBinary(t)
	dir := t.TempDir()
	items, out, db := filepath.Join(dir, "items.jsonl"), filepath.Join(dir, "out.jsonl"), filepath.Join(dir, "pj.db")
	if b, err := exec.Command(bin, "sim", "generate", "--n", "300", "--out", items, "--seed", "7").CombinedOutput(); err != nil {
		t.Fatalf("generate: %v %s", err, b)
	}
	content := fakejudge.ContentPreference("GOOD", 80)
	fake := llmfake.New(func(r *llmfake.Request, c int64) llmfake.Reply {
		rep := content(r, c)
		rep.Delay = 20 * time.Millisecond // long enough to kill mid-run
		return rep
	})
	defer fake.Close()

	serve, url, _ := startServe(t, bin, fake, "--db", db)
	eval := exec.Command(bin, "eval", "--addr", url, "--in", items, "--out", out, "--progress", "off", "--sync-every", "50ms")
	if err := eval.Start(); err != nil {
		t.Fatal(err)
	}
	// The child process writes --out; nothing signals a line, so poll.
	testwait.For(t, "50 results in --out before the kill", 30*time.Second, func() bool { return lines(t, out) >= 50 })
	if err := serve.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	serve.Wait()
	if err := eval.Wait(); err == nil && lines(t, out) == n {
		t.Fatal("the run finished before the kill; nothing was tested")
	}
	done := lines(t, out)
	t.Logf("server killed with %d of %d results in --out", done, n)

	_, url, _ = startServe(t, bin, fake, "--db", db)
	if b, err := exec.Command(bin, "eval", "--addr", url, "--in", items, "--out", out, "--progress", "off").CombinedOutput(); err != nil {
		t.Fatalf("resumed eval: %v\n%s", err, b)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var line struct {
			ItemID string `json:"itemId"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("bad line in --out: %v: %.80s", err, sc.Text())
		}
		seen[line.ItemID]++
	}
	if len(seen) != n {
		t.Fatalf("%d distinct items in --out, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("item %s answered %d times", id, c)
		}
	}
}

// lines counts the complete lines of a file (0 if it does not exist yet).
func lines(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "\n")
}
