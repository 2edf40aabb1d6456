package eval

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

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
	dying := &stubJudge{failAfter: 1}
	dying.seen = map[string]int{}
	dying.orders = healthy.orders
	other := serveReplica(t, dying)
	cfg.Addrs = []string{other.URL, cfg.Addr}
	var log strings.Builder
	cfg.Log = &log
	s, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ids := resultIDs(t, cfg.Results)
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"a", "b", "c", "d", "e"}) || s.Judged != 5 {
		t.Fatalf("results %v, judged %d; want each of a-e once", ids, s.Judged)
	}
	if len(dying.seen) == 0 {
		t.Fatal("the second replica was never sent an item")
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
