package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

// examplesDir holds the integrations (examples/ at the repository root).
const examplesDir = "../../examples"

// needTool skips a test whose tool is missing, except in CI (CI=true),
// where .ci/run installs it and a missing tool is a failure.
func needTool(t *testing.T, what, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing (%s); .ci/run installs it", what, why)
	}
	t.Skipf("%s is missing (%s); install it to run this example", what, why)
}

// grpcPython is a python3 that can import grpc: Debian's python3-grpcio
// installs for /usr/bin/python3, which another python3 may shadow on PATH.
func grpcPython(t *testing.T) string {
	t.Helper()
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	for _, py := range candidates {
		if exec.Command(py, "-c", "import grpc, google.protobuf").Run() == nil {
			return py
		}
	}
	needTool(t, "python3 with grpcio", "apt-get install -y python3-grpcio python3-grpc-tools")
	return ""
}

// nodeModules returns node's path once `npm ci` has run in examples/.
func nodeModules(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		needTool(t, "node", "apt-get install -y nodejs npm")
	}
	if _, err := os.Stat(filepath.Join(examplesDir, "node_modules", ".bin", "tsx")); err != nil {
		needTool(t, "examples/node_modules", "run npm ci in examples/")
	}
	return node
}

// TestExamples runs each integration under examples/ against serve and a
// scripted judge that prefers the response mentioning lentils (response B
// of every example), and checks what it prints.
func TestExamples(t *testing.T) {
	bin := buildBinary(t)
	fake := llmfake.New(fakejudge.ContentPreference("lentil", 95))
	t.Cleanup(fake.Close)
	_, url, logs := startServe(t, bin, fake)
	hostPort := strings.TrimPrefix(url, "http://")

	tests := []struct {
		name string
		cmd  func(t *testing.T) *exec.Cmd
		want []string
	}{
		{"python grpc client", func(t *testing.T) *exec.Cmd {
			return exec.Command(grpcPython(t), "python/score.py", hostPort)
		}, []string{"status=JUDGMENT_STATUS_VERDICT verdict=response B certainty=0.95"}},
		{"typescript connect client", func(t *testing.T) *exec.Cmd {
			nodeModules(t)
			return exec.Command("node_modules/.bin/tsx", "typescript/score.ts", url)
		}, []string{"status=VERDICT verdict=response B certainty=0.95", "llm_calls="}},
		{"promptfoo assertion", func(t *testing.T) *exec.Cmd {
			return exec.Command(nodeModules(t), "--test", "promptfoo/harness.test.js")
		}, []string{"# pass 4", "# fail 0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := tc.cmd(t)
			cmd.Dir = examplesDir
			cmd.Env = append(os.Environ(), "PERSONAJUDGE_ADDR="+url)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v: %v\n%s\nserve logs:\n%s", cmd.Args, err, out, logs)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
