package server

import (
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
// with a zero-latency backend, callers in parallel; this measures the
// service's own cost (validation, prompts, two HTTP calls to the backend,
// parsing, the durable SQLite write, the RPC).
func BenchmarkScoreThroughput(b *testing.B) {
	h := newHarness(b, fakejudge.ContentPreference("GOOD", 80))
	ctx := b.Context()
	b.SetParallelism(8)
	start := time.Now()
	b.RunParallel(func(pb_ *testing.PB) {
		req := prefItem(0)
		for pb_.Next() {
			if _, err := h.connect.Score(ctx, req); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "judgments/s")
}
