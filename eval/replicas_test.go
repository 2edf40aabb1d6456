package eval

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
)

// serveReplica serves j over cleartext HTTP/2 as one more replica.
func serveReplica(t *testing.T, j *stubJudge) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(personajudgev1connect.NewJudgeServiceHandler(j))
	mux.Handle(personajudgev1connect.NewCalibrationServiceHandler(stubCalibration{j: j}))
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetHTTP1(true)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// Items are spread over every replica; when one breaks mid-run (its
// stream ends Unavailable, as a replica shutting down or dying does), the
// items it had not answered are judged by the other, and every item lands
// in the results exactly once.
func TestRunSpreadsOverReplicasAndSurvivesOneDying(t *testing.T) {
	t.Parallel()
	healthy := &stubJudge{}
	cfg := startStub(t, healthy)
	// Enough items that both streams get some: waiting senders take
	// queued items in turn.
	var lines strings.Builder
	var want []string
	for i := range 200 {
		id := fmt.Sprintf("item-%03d", i)
		want = append(want, id)
		fmt.Fprintf(&lines, "{\"request\":{\"itemId\":%q}}\n", id)
	}
	if err := os.WriteFile(cfg.Dataset, []byte(lines.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	dying := &stubJudge{failAfter: 3, seen: map[string]int{}, orders: map[pb.OrderPolicy]int{}}
	other := serveReplica(t, dying)
	cfg.Addrs = []string{other.URL, cfg.Addr}
	cfg.InFlight = 8
	var log strings.Builder
	cfg.Log = &log
	s, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ids := resultIDs(t, cfg.Results)
	slices.Sort(ids)
	if !slices.Equal(ids, want) || s.Judged != 200 {
		t.Fatalf("%d result lines, judged %d; want each of 200 items once", len(ids), s.Judged)
	}
	dying.mu.Lock()
	defer dying.mu.Unlock()
	if len(dying.seen) != 3 {
		t.Fatalf("the dying replica read %d items; want the 3 it answered before failing", len(dying.seen))
	}
	if !strings.Contains(log.String(), "go to the other services") {
		t.Fatalf("log %q does not say the items moved", log.String())
	}
}

// A replica that is down from the start costs nothing either; only when
// every replica fails does the run fail, saying how to resume.
func TestRunWithADeadReplica(t *testing.T) {
	t.Parallel()
	j := &stubJudge{}
	cfg := startStub(t, j)
	dead := serveReplica(t, &stubJudge{})
	dead.Close()
	cfg.Addrs = []string{dead.URL, cfg.Addr}
	if _, err := Run(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	if ids := resultIDs(t, cfg.Results); len(ids) != 5 {
		t.Fatalf("results %v, want 5", ids)
	}

	cfg2 := startStub(t, &stubJudge{})
	cfg2.Addrs = []string{dead.URL}
	_, err := Run(t.Context(), cfg2)
	if err == nil || !strings.Contains(err.Error(), "run the same command again to resume") {
		t.Fatalf("err %v, want a failed run that says how to resume", err)
	}
}
