package server

import (
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

// BenchmarkSwappedJudgmentLatency: one position-fair preference judgment
// (two calls, AB and BA) against a backend with 50 ms latency. The orders
// run concurrently, so the wall time should be about one call:
// the reported calls-of-wall-time ratio should be close to 1, not 2.
func BenchmarkSwappedJudgmentLatency(b *testing.B) {
	const latency = 50 * time.Millisecond
	content := fakejudge.ContentPreference("GOOD", 80)
	h := newHarness(b, func(r *llmfake.Request, n int64) llmfake.Reply {
		rep := content(r, n)
		rep.Delay = latency
		return rep
	})
	ctx := b.Context()
	req := prefItem(1)
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		resp, err := h.connect.Score(ctx, req)
		if err != nil || resp.Status != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT {
			b.Fatalf("score: %v %v", err, resp.GetStatus())
		}
	}
	per := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(per)/float64(latency), "call-latencies/judgment")
	b.ReportMetric(float64(h.fake.Calls())/float64(b.N), "llm-calls/judgment")
}

// BenchmarkScoreThroughput: judgments per second through the Connect API
// with a zero-latency backend, callers in parallel, measuring what `serve`
// does: the LLM cache on, in the store, and every item distinct, so each
// judgment makes two backend calls, two cache writes and one ledger write.
// It reports the store's commits per judgment and the CPU of the whole
// process (service, callers and fake backend together) per judgment.
func BenchmarkScoreThroughput(b *testing.B) {
	h := newCachedHarness(b, fakejudge.ContentPreference("GOOD", 80))
	ctx := b.Context()
	b.SetParallelism(8)
	var seq atomic.Int64
	commits0 := h.store.Stats().Commits
	cpu0 := processCPU(b)
	start := time.Now()
	b.RunParallel(func(pb_ *testing.PB) {
		for pb_.Next() {
			req := prefItem(0)
			n := seq.Add(1)
			req.ItemId = fmt.Sprintf("item-%d", n)
			req.GetPreference().Query = fmt.Sprintf("How should I get to the airport, trip %d?", n)
			if _, err := h.connect.Score(ctx, req); err != nil {
				b.Error(err)
				return
			}
		}
	})
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "judgments/s")
	b.ReportMetric(float64(h.store.Stats().Commits-commits0)/float64(b.N), "commits/judgment")
	b.ReportMetric(float64(processCPU(b)-cpu0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/judgment")
}

// processCPU is the user and system CPU time this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
