package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

// readmeBlock is one fenced shell example of README.md.
type readmeBlock struct {
	line int    // line of the opening fence
	info string // the fence's info string: "sh test", "sh norun: why"
	body string
}

// readmeShellBlocks returns README's fenced blocks whose info string starts
// with "sh".
func readmeShellBlocks(t *testing.T, path string) []readmeBlock {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []readmeBlock
	var cur *readmeBlock
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			info := strings.TrimSpace(strings.TrimPrefix(line, "```"))
			cur = &readmeBlock{line: n, info: info}
		case cur != nil && strings.TrimSpace(line) == "```":
			if cur.info == "sh" || strings.HasPrefix(cur.info, "sh ") {
				blocks = append(blocks, *cur)
			}
			cur = nil
		case cur != nil:
			cur.body += line + "\n"
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return blocks
}

// TestREADME runs every README example marked ```sh test, in order, in one
// directory, against serve and a scripted judge, with `personajudge` on
// PATH and the README's address replaced by the test server's. Every other
// shell block must say why it cannot run here (```sh norun: why), so a new
// example is either tested or marked.
func TestREADME(t *testing.T) {
	const readme = "../../README.md"
	blocks := readmeShellBlocks(t, readme)
	var run []readmeBlock
	for _, b := range blocks {
		switch {
		case b.info == "sh test":
			run = append(run, b)
		case strings.HasPrefix(b.info, "sh norun:") && len(strings.TrimSpace(strings.TrimPrefix(b.info, "sh norun:"))) > 0:
		default:
			t.Errorf("README.md:%d: a shell example must be ```sh test (run by this test) or ```sh norun: <why>, not ```%s", b.line, b.info)
		}
	}
	if len(run) == 0 {
		t.Fatal("README.md has no ```sh test block")
	}

	bin := buildBinary(t)
	fake := llmfake.New(fakejudge.ContentPreference("lentil", 95))
	t.Cleanup(fake.Close)
	_, url, logs := startServe(t, bin, fake)

	// The examples run from a copy of the repository's examples/ (the
	// sample CSV), in a directory of their own.
	dir := t.TempDir()
	repoRoot, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(repoRoot, "examples"), filepath.Join(dir, "examples")); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(),
		"PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"PERSONAJUDGE_ADDR="+url)
	for _, b := range run {
		script := strings.ReplaceAll(b.body, "http://127.0.0.1:8080", url)
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Errorf("README.md:%d: %v\n--- script\n%s--- output\n%s", b.line, err, script, out)
			continue
		}
		if strings.Contains(string(out), "invalid_argument: invalid_argument:") {
			t.Errorf("README.md:%d: a status code printed twice:\n%s", b.line, out)
		}
	}
	if t.Failed() {
		t.Logf("serve logs:\n%s", logs)
	}
}
