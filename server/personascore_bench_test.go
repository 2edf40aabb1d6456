package server

import (
	"fmt"
	"testing"
	"time"

	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

// BenchmarkPersonaScore: one persona, 50 items (10 per task), two judge
// models, each behind a backend with 50 ms latency and a concurrency limit
// of 16. Each item costs 2 orders x 2 models = 4 calls, 100 per model, so
// no schedule can beat calls / (limit / latency) = 100 / (16 / 50 ms) =
// 0.3125 s per model (the models run side by side). wall/ideal reports how
// close PersonaScore comes to that bound; tokens/item is the LLM cost.
func BenchmarkPersonaScore(b *testing.B) {
	const (
		latency = 50 * time.Millisecond
		limit   = 16
		perTask = 10
	)
	slow := func(inner llmfake.Behavior) llmfake.Behavior {
		return func(r *llmfake.Request, n int64) llmfake.Reply {
			rep := inner(r, n)
			rep.Delay = latency
			return rep
		}
	}
	fake := llmfake.New(fakejudge.ByModel(map[string]llmfake.Behavior{
		"judge-a": slow(fakejudge.ContentAdherence(80)),
		"judge-b": slow(fakejudge.ContentAdherence(70)),
	}))
	b.Cleanup(fake.Close)
	zero := 0
	h := newHarnessWith(b, fake, clients.FileConfig{Models: []clients.ModelConfig{
		{Name: "judge-a", BaseURL: fake.BaseURL(), MaxConcurrency: limit, Timeout: "10s", MaxRetries: &zero},
		{Name: "judge-b", BaseURL: fake.BaseURL(), MaxConcurrency: limit, Timeout: "10s", MaxRetries: &zero},
	}})

	req := &pb.PersonaScoreRequest{
		Persona: testPersona,
		// Bypass the response cache: every iteration pays for its calls.
		Judge: &pb.JudgeConfig{Models: []string{"judge-a", "judge-b"}, Cache: pb.CachePolicy_CACHE_POLICY_BYPASS},
	}
	for _, task := range []pb.AdherenceTaskKind{expectedAction, justification, linguistic, consistency, toxicity} {
		for i := range perTask {
			req.Items = append(req.Items, psItem(fmt.Sprintf("%v-%d", task, i), task, fmt.Sprintf("SCORE=%d", 1+i%5)))
		}
	}
	ctx := b.Context()
	var (
		wall   time.Duration
		calls  = map[string]int64{}
		tokens int64
		n      int
	)
	for b.Loop() {
		start := time.Now()
		resp, err := h.connect.PersonaScore(ctx, req)
		wall += time.Since(start)
		if err != nil || resp.PersonaScore == nil {
			b.Fatalf("PersonaScore: %v", err)
		}
		for _, j := range resp.Judgments {
			for _, v := range j.Votes {
				calls[v.Model] += v.Usage.LlmCalls
			}
		}
		tokens += resp.Usage.PromptTokens + resp.Usage.CompletionTokens
		n++
	}
	var ideal float64 // seconds per call, the busiest model's bound
	for _, c := range calls {
		ideal = max(ideal, float64(c)/float64(n)/(limit/latency.Seconds()))
	}
	perOp := wall.Seconds() / float64(n)
	b.ReportMetric(perOp, "wall-s/op")
	b.ReportMetric(ideal, "ideal-s/op")
	b.ReportMetric(perOp/ideal, "wall/ideal")
	b.ReportMetric(float64(tokens)/float64(n*len(req.Items)), "tokens/item")
	b.ReportMetric(float64(calls["judge-a"]+calls["judge-b"])/float64(n), "llm-calls/op")
}
