package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
	"google.golang.org/protobuf/encoding/protojson"
)

// The binary is compiled once for all tests of the package.
var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildBinary compiles the command (once per test run) and returns its path.
// Tests that run the binary stay sequential: they start, signal and kill
// child processes whose timing the parallel tests would disturb.
func buildBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "personajudge-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "personajudge")
		// Stamped as scripts/release.sh stamps a release, so that
		// TestVersionStamped needs no build of its own.
		build := exec.Command("go", "build", "-ldflags", "-X main.version="+testVersion, "-o", binPath, ".")
		if out, err := build.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// lockedLog collects a child's log lines while tests read them.
type lockedLog struct {
	mu      sync.Mutex
	b       strings.Builder
	changed chan struct{} // closed and replaced at every write
}

func (l *lockedLog) WriteString(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(s)
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
}

// waitFor returns once the log holds substr.
func (l *lockedLog) waitFor(substr string) {
	for {
		l.mu.Lock()
		if strings.Contains(l.b.String(), substr) {
			l.mu.Unlock()
			return
		}
		if l.changed == nil {
			l.changed = make(chan struct{})
		}
		changed := l.changed
		l.mu.Unlock()
		<-changed
	}
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var reAddr = regexp.MustCompile(`msg=serving addr=(\S+)`)

// startServe runs `personajudge serve` on a free loopback port against the
// given fake backend and returns the process and its base URL.
func startServe(t *testing.T, bin string, fake *llmfake.Server, extra ...string) (*exec.Cmd, string, *lockedLog) {
	t.Helper()
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "pj.db")}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "OPENAI_BASE_URL="+fake.BaseURL(), "PERSONAJUDGE_MODEL=judge", "OPENAI_API_KEY=sk-test")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	logs := &lockedLog{}
	sc := bufio.NewScanner(stderr)
	deadline := time.After(30 * time.Second)
	found := make(chan string, 1)
	go func() {
		for sc.Scan() {
			line := sc.Text()
			logs.WriteString(line + "\n")
			if m := reAddr.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case addr := <-found:
		return cmd, "http://" + addr, logs
	case <-deadline:
		t.Fatalf("server did not start; logs:\n%s", logs)
	}
	return nil, "", nil
}

func scoreRequest() *pb.ScoreRequest {
	return &pb.ScoreRequest{ItemId: "cli-1", Task: &pb.ScoreRequest_Preference{Preference: &pb.PersonalizedPreferenceTask{
		Persona: "A vegan marathon runner.", Query: "Suggest a dinner.",
		ResponseA: "Steak and fries.", ResponseB: "Lentil curry with rice. GOOD",
	}}}
}

// serve answers over Connect, and `score` prints the judgment as JSON.
// SIGTERM during a judgment lets the judgment finish before the process
// exits cleanly.
func TestServeScoreAndGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	slow := fakejudge.ContentPreference("GOOD", 85)
	// The in-flight judgment below is told apart by its persona; the fake
	// closes inflightArrived when its first call arrives.
	const inflightPersona = "A vegan triathlete who cooks at home."
	inflightArrived := make(chan struct{})
	var arrivedOnce sync.Once
	fake := llmfake.New(func(r *llmfake.Request, n int64) llmfake.Reply {
		if strings.Contains(r.User(), inflightPersona) {
			arrivedOnce.Do(func() { close(inflightArrived) })
		}
		rep := slow(r, n)
		rep.Delay = 400 * time.Millisecond
		return rep
	})
	defer fake.Close()
	bin := buildBinary(t)
	cmd, url, logs := startServe(t, bin, fake)

	// `personajudge score` against the running service.
	in := filepath.Join(t.TempDir(), "item.json")
	os.WriteFile(in, []byte(`{"itemId":"cli-1","preference":{"persona":"A vegan marathon runner.","query":"Suggest a dinner.","responseA":"Steak and fries.","responseB":"Lentil curry with rice. GOOD"}}`), 0o600)
	out, err := exec.Command(bin, "score", "--addr", url, "--in", in).CombinedOutput()
	if err != nil {
		t.Fatalf("score: %v\n%s", err, out)
	}
	got := &pb.ScoreResponse{}
	if err := protojson.Unmarshal(out, got); err != nil {
		t.Fatalf("score output is not a ScoreResponse: %v\n%s", err, out)
	}
	if got.Status != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT || got.Verdict.GetChoice() != 1 || got.ItemId != "cli-1" || got.PositionConsistency != 1 {
		t.Fatalf("score output: status %v verdict %v item %q consistency %v", got.Status, got.Verdict, got.ItemId, got.PositionConsistency)
	}

	// The judgment shows in the Prometheus metrics, with the RPC and the LLM
	// calls behind it.
	res, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{
		`personajudge_judgments_total{kind="preference",otel_scope_name=`,
		`gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="chat"`,
		`gen_ai_client_token_usage`,
		`personajudge_votes_total`,
		`rpc_server_call_duration_seconds_count`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// A judgment in flight when SIGTERM arrives still completes. The item
	// differs from the one above, so the response cache cannot answer it.
	client := personajudgev1connect.NewJudgeServiceClient(http.DefaultClient, url)
	inflight := scoreRequest()
	inflight.GetPreference().Persona = inflightPersona
	done := make(chan error, 1)
	go func() {
		resp, err := client.Score(t.Context(), inflight)
		if err == nil && resp.Status != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT {
			err = io.ErrUnexpectedEOF
		}
		done <- err
	}()
	// Signal once the judgment is waiting on the fake (its first call has
	// arrived there), not after a guessed delay.
	select {
	case <-inflightArrived:
	case <-time.After(20 * time.Second):
		t.Fatal("the judgment never reached the backend")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("in-flight judgment failed during shutdown: %v\nlogs:\n%s", err, logs)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("serve exited with %v\nlogs:\n%s", err, logs)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not exit after SIGTERM\nlogs:\n%s", logs)
	}
}

func TestScoreCommandRejectsBadJSON(t *testing.T) {
	t.Parallel()
	in := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(in, []byte(`{"preference": 7}`), 0o600)
	err := runScore([]string{"--in", in, "--addr", "http://127.0.0.1:1"})
	if err == nil || !strings.Contains(err.Error(), "ScoreRequest JSON") {
		t.Fatalf("err = %v, want a JSON error", err)
	}
}
