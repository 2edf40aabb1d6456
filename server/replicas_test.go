package server

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
	"github.com/personajudge/personajudge/internal/pgtest"
	"github.com/personajudge/personajudge/internal/testwait"
	"google.golang.org/protobuf/proto"
)

// replicas starts n services, each with its own engine and store handle,
// over one PostgreSQL schema and one fake backend, as replicas behind a
// load balancer would run.
func replicas(t *testing.T, n int, fake *llmfake.Server, x harnessExtras) []*harness {
	t.Helper()
	x.db = pgtest.DSN(t)
	retries := 2
	fc := clients.FileConfig{Models: []clients.ModelConfig{
		{Name: "judge", BaseURL: fake.BaseURL(), MaxConcurrency: 16, Timeout: "5s", MaxRetries: &retries},
	}}
	out := make([]*harness, n)
	for i := range out {
		out[i] = buildHarness(t, fake, fc, x)
	}
	return out
}

// Replicas share the ledger, the LLM cache and calibrators: a judgment made
// through one is read through another; the same request through another
// makes no LLM call; a calibrator fitted through one is applied by the
// others within a second, through the store's change feed.
func TestReplicasShareOneStore(t *testing.T) {
	t.Parallel()
	var certainty atomic.Int64
	certainty.Store(90)
	fake := llmfake.New(settable(&certainty))
	t.Cleanup(fake.Close)
	rs := replicas(t, 3, fake, harnessExtras{cache: true})
	a, b, c := rs[0], rs[1], rs[2]
	ctx := t.Context()

	first, err := a.connect.Score(ctx, prefItem(1))
	if err != nil || first.Status != verdict {
		t.Fatalf("score through a: %v %v", first.GetStatus(), err)
	}
	got, err := b.connect.GetJudgment(ctx, &pb.GetJudgmentRequest{JudgmentId: first.JudgmentId})
	if err != nil || !proto.Equal(got.Judgment, first) {
		t.Fatalf("judgment made through a, read through b: %v", err)
	}

	calls := fake.Calls()
	again, err := b.connect.Score(ctx, prefItem(1))
	if err != nil || again.Status != verdict {
		t.Fatalf("score through b: %v %v", again.GetStatus(), err)
	}
	if n := fake.Calls() - calls; n != 0 {
		t.Fatalf("the same request through b made %d LLM calls, want 0 (shared cache)", n)
	}
	for _, v := range again.Votes {
		if !v.CacheHit {
			t.Fatalf("vote not from the shared cache: %v", v)
		}
	}

	// c judges the profile before any calibrator exists, so its engine
	// holds "no calibrator" in memory until told otherwise.
	if r, err := c.connect.Score(ctx, prefItem(1)); err != nil || r.CalibratorVersion != "" {
		t.Fatalf("before the fit: %v %v", r.GetCalibratorVersion(), err)
	}
	importRecords(t, calClient(a), records(prefProfile, twoBands...))
	fit, err := calClient(a).FitCalibrator(ctx, &pb.FitCalibratorRequest{Profile: prefProfile, Method: pb.CalibrationMethod_CALIBRATION_METHOD_ISOTONIC})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*harness{b, c} {
		testwait.For(t, "the calibrator fitted through a to be applied by another replica", time.Second, func() bool {
			resp, err := r.connect.Score(ctx, prefItem(1))
			if err != nil {
				t.Fatal(err)
			}
			return resp.CalibratorVersion == fit.Calibrator.Version && resp.CalibratedProbability != nil
		})
	}
}

// The admission bound (--max-queued) is per replica: a replica at its bound
// refuses, while another replica on the same store still admits. So is the
// per-key limit, which lives in each process's Gate.
func TestAdmissionIsPerReplica(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var once sync.Once
	content := fakejudge.ContentPreference("GOOD", 80)
	fake := llmfake.New(func(r *llmfake.Request, n int64) llmfake.Reply {
		<-release
		return content(r, n)
	})
	t.Cleanup(fake.Close)
	rs := replicas(t, 2, fake, harnessExtras{maxQueued: 1})
	// Registered last, so it runs first: nothing waits on a held call.
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	a, b := rs[0], rs[1]
	ctx := t.Context()

	var wg sync.WaitGroup
	errs := make(chan error, 2)
	score := func(h *harness) {
		defer wg.Done()
		_, err := h.connect.Score(ctx, prefItem(1))
		errs <- err
	}
	wg.Add(1)
	go score(a)
	testwait.For(t, "a's first item to reach the backend", 5*time.Second, func() bool { return fake.Calls() >= 1 })
	if _, err := a.connect.Score(ctx, prefItem(0)); connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Fatalf("a second item on the full replica a: %v, want ResourceExhausted", err)
	}
	wg.Add(1)
	go score(b)
	testwait.For(t, "b's item to reach the backend", 5*time.Second, func() bool { return fake.Calls() >= 3 })
	once.Do(func() { close(release) })
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("an admitted item failed: %v", err)
		}
	}
}
