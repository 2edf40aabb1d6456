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

// Serving beyond loopback without keys is refused unless asked for.
func TestServeRefusesOpenNonLoopback(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "pj.db")
	err := runServe([]string{"--addr", "0.0.0.0:0", "--db", db})
	if err == nil || !strings.Contains(err.Error(), "--allow-unauthenticated") || !strings.Contains(err.Error(), "--api-keys") {
		t.Fatalf("err = %v, want a refusal that names --api-keys and --allow-unauthenticated", err)
	}
	if err := runServe([]string{"--addr", "127.0.0.1:0", "--tls-cert", "c.pem", "--db", db}); err == nil || !strings.Contains(err.Error(), "--tls-key") {
		t.Fatalf("cert without key: %v", err)
	}
}

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:1": true, "[::1]:80": true, "127.5.0.1:9": true,
		"0.0.0.0:8080": false, ":8080": false, "10.0.0.1:80": false, "example.com:80": false,
	} {
		if got := isLoopback(addr); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

// serve --api-keys admits only configured keys; the CLI clients send
// $PERSONAJUDGE_API_KEY.
func TestServeWithAPIKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	fake := llmfake.New(fakejudge.ContentPreference("GOOD", 85))
	defer fake.Close()
	bin := buildBinary(t)
	out, err := exec.Command(bin, "keys", "new", "--name", "ci", "--role", "score").Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "pj_") {
		t.Fatalf("keys new printed %q", out)
	}
	key := lines[0]
	keysFile := filepath.Join(t.TempDir(), "keys.json")
	os.WriteFile(keysFile, []byte(`{"keys":[`+lines[1]+`]}`), 0o600)
	if strings.Contains(lines[1], key) {
		t.Fatal("the keys file entry contains the key itself")
	}
	_, url, logs := startServe(t, bin, fake, "--api-keys", keysFile)

	in := filepath.Join(t.TempDir(), "item.json")
	os.WriteFile(in, []byte(`{"preference":{"persona":"p","query":"q","responseA":"a GOOD","responseB":"b"}}`), 0o600)
	cmd := exec.Command(bin, "score", "--addr", url, "--in", in)
	cmd.Env = append(os.Environ(), "PERSONAJUDGE_API_KEY=")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "unauthenticated") {
		t.Fatalf("score without a key: %v %s", err, out)
	}
	cmd = exec.Command(bin, "score", "--addr", url, "--in", in)
	cmd.Env = append(os.Environ(), "PERSONAJUDGE_API_KEY="+key)
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "JUDGMENT_STATUS_VERDICT") {
		t.Fatalf("score with the key: %v %s", err, out)
	}
	if strings.Contains(logs.String(), key) {
		t.Fatal("the key appears in the server's logs")
	}
}
