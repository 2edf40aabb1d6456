package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// testVersion is the version buildBinary stamps into the test binary.
const testVersion = "v9.8.7-test"

// TestVersionStamped asks the test binary, built with the version stamped
// through -ldflags as scripts/release.sh does, for its version both ways.
func TestVersionStamped(t *testing.T) {
	bin := buildBinary(t)
	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		if got, want := strings.TrimSpace(string(out)), "personajudge "+testVersion; got != want {
			t.Errorf("personajudge %v = %q, want %q", args, got, want)
		}
	}
}

// TestReleaseScript runs scripts/release.sh for this machine's platform
// only and checks the binary's version and its checksum line; opt-in
// (PJ_RELEASE_TEST=1), since a -trimpath build compiles everything anew.
func TestReleaseScript(t *testing.T) {
	if os.Getenv("PJ_RELEASE_TEST") == "" {
		t.Skip("set PJ_RELEASE_TEST=1 to run scripts/release.sh")
	}
	dist := t.TempDir()
	target := runtime.GOOS + "/" + runtime.GOARCH
	cmd := exec.Command("bash", "../../scripts/release.sh", "v0.0.1-test")
	cmd.Env = append(os.Environ(), "DIST="+dist, "TARGETS="+target)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("release.sh: %v\n%s", err, out)
	}
	name := "personajudge_v0.0.1-test_" + runtime.GOOS + "_" + runtime.GOARCH
	out, err := exec.Command(filepath.Join(dist, name), "--version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "personajudge v0.0.1-test" {
		t.Fatalf("--version = %q, %v", out, err)
	}
	sums, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil || !strings.Contains(string(sums), "  "+name+"\n") {
		t.Fatalf("SHA256SUMS = %q, %v", sums, err)
	}
}

func TestBuildInfoSuffix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"go install @version", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}},
			" (module v1.2.3, go1.26.0)"},
		{"checkout with changes", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"}}},
			" (module (devel), vcs abc123 dirty, go1.26.0)"},
	}
	for _, tc := range tests {
		if got := buildInfoSuffix(&tc.info); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
