package server

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

// Soak figures: a backend of 16 concurrent calls at 50 ms answers 320
// calls/s, 160 pairwise judgments/s; well-behaved callers offer 80% of it.
const (
	soakLatency     = 50 * time.Millisecond
	soakConcurrency = 16
	soakValidRate   = 128 // judgments/s: 80% of 160
	soakInvalidRate = 32  // bad requests/s beside them
	soakStalled     = 3000
)

// TestSoak runs the service for PJ_SOAK (for example 30m) at 80% of its
// backend's capacity with valid and invalid traffic and one stream that
// sends 3,000 items and never reads a result. It is not part of the
// ordinary suite (it skips unless PJ_SOAK is set). It fails if a
// well-behaved caller is ever refused or fails, or if heap or goroutines
// grow: the last minute's figures against the first minute's.
//
//	PJ_SOAK=30m go test -run TestSoak -timeout 40m -v ./server/
func TestSoak(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("PJ_SOAK"))
	if err != nil || d <= 0 {
		t.Skip("set PJ_SOAK to a duration (for example 30m) to run the soak test")
	}
	latency := func(req *llmfake.Request, n int64) llmfake.Reply {
		r := fakejudge.ContentPreference("GOOD", 80)(req, n)
		r.Delay = soakLatency
		return r
	}
	fake := llmfake.New(latency)
	t.Cleanup(fake.Close)
	retries := 2
	h := buildHarness(t, fake, clients.FileConfig{Models: []clients.ModelConfig{{
		Name: "judge", BaseURL: fake.BaseURL(), MaxConcurrency: soakConcurrency, Timeout: "10s", MaxRetries: &retries,
	}}}, harnessExtras{maxQueued: 4 * soakConcurrency})

	silentStream(t, h, soakStalled, func(i int) *pb.ScoreRequest {
		req := prefItemID(fmt.Sprintf("stalled-%d", i), i%2)
		req.GetPreference().Query = fmt.Sprintf("Where should I eat tonight? (evening %d)", i)
		return req
	})

	var (
		ok, refused, failed, invalid, badAccepted atomic.Int64
		wg                                        sync.WaitGroup
	)
	call := func(i int, valid bool) {
		defer wg.Done()
		req := prefItemID(fmt.Sprintf("soak-%d", i), i%2)
		// Distinct items, so every judgment reaches the backend.
		req.GetPreference().Query = fmt.Sprintf("How should I get to the airport? (trip %d)", i)
		if !valid {
			req.GetPreference().ResponseB = req.GetPreference().ResponseA
		}
		_, err := h.connect.Score(t.Context(), req)
		switch {
		case !valid && connect.CodeOf(err) == connect.CodeInvalidArgument:
			invalid.Add(1)
		case !valid:
			badAccepted.Add(1)
		case err == nil:
			ok.Add(1)
		case connect.CodeOf(err) == connect.CodeResourceExhausted:
			refused.Add(1)
		default:
			failed.Add(1)
			t.Logf("well-behaved call failed: %v", err)
		}
	}

	type sample struct {
		at         time.Duration
		heapMiB    float64
		goroutines int
		ok         int64
	}
	var samples []sample
	measure := func(at time.Duration) {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		s := sample{at: at, heapMiB: float64(ms.HeapInuse) / (1 << 20), goroutines: runtime.NumGoroutine(), ok: ok.Load()}
		samples = append(samples, s)
		t.Logf("%6s heap %6.1f MiB  goroutines %5d  ok %7d  refused %d  failed %d  invalid %d",
			s.at.Round(time.Second), s.heapMiB, s.goroutines, s.ok, refused.Load(), failed.Load(), invalid.Load())
	}

	start := time.Now()
	valid := time.NewTicker(time.Second / soakValidRate)
	bad := time.NewTicker(time.Second / soakInvalidRate)
	every := time.NewTicker(time.Minute)
	defer valid.Stop()
	defer bad.Stop()
	defer every.Stop()
	end := time.After(d)
	i := 0
loop:
	for {
		select {
		case <-valid.C:
			i++
			wg.Add(1)
			go call(i, true)
		case <-bad.C:
			i++
			wg.Add(1)
			go call(i, false)
		case <-every.C:
			measure(time.Since(start))
		case <-end:
			break loop
		}
	}
	wg.Wait()
	measure(time.Since(start))

	offered := float64(ok.Load()+refused.Load()+failed.Load()) / time.Since(start).Seconds()
	t.Logf("offered %.1f valid judgments/s; ok %d, refused %d, failed %d; invalid answered %d, bad accepted %d",
		offered, ok.Load(), refused.Load(), failed.Load(), invalid.Load(), badAccepted.Load())
	if refused.Load() > 0 || failed.Load() > 0 || badAccepted.Load() > 0 {
		t.Errorf("well-behaved callers refused %d, failed %d; bad requests accepted %d", refused.Load(), failed.Load(), badAccepted.Load())
	}
	if len(samples) >= 3 {
		first, last := samples[0], samples[len(samples)-1]
		if last.heapMiB > 1.5*first.heapMiB+8 {
			t.Errorf("heap grew from %.1f MiB to %.1f MiB", first.heapMiB, last.heapMiB)
		}
		if last.goroutines > first.goroutines+64 {
			t.Errorf("goroutines grew from %d to %d", first.goroutines, last.goroutines)
		}
	}
}
