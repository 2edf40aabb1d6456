package judges_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
	"github.com/personajudge/personajudge/judges"
)

// BenchmarkRoleCyclicK4 measures what position fairness costs in time:
// K=4 under the cyclic policy is four calls, run concurrently, so with a
// concurrency limit of at least 4 a judgment should take about one call's
// latency (wall/call near 1), not four.
func BenchmarkRoleCyclicK4(b *testing.B) {
	const (
		k       = 4
		latency = 50 * time.Millisecond
	)
	content := fakejudge.ContentRole("ZEBRA", 80)
	fake := llmfake.New(func(req *llmfake.Request, n int64) llmfake.Reply {
		r := content(req, n)
		r.Delay = latency
		return r
	})
	defer fake.Close()
	reg, err := clients.NewRegistry(clients.FileConfig{Models: []clients.ModelConfig{
		{Name: "judge", BaseURL: fake.BaseURL(), MaxConcurrency: k, Timeout: "5s"},
	}})
	if err != nil {
		b.Fatal(err)
	}
	engine := judges.NewEngine(reg, judges.WithMaxReasks(2))

	item := &pb.RoleIdentificationTask{
		Dialogue: []*pb.DialogueTurn{
			{Speaker: "Innkeeper", Text: "Who left the gate open last night?"},
			{Speaker: "Stable boy", Text: "Not me, I was asleep."},
		},
		TargetUtterance: "I went out to check on the ZEBRA pen and forgot to latch it.",
	}
	for i := range k {
		profile := fmt.Sprintf("Role %d of the inn, with chores of their own.", i)
		if i == 2 {
			profile += " Keeps the ZEBRAs."
		}
		item.Candidates = append(item.Candidates, &pb.CandidateRole{Name: fmt.Sprintf("Person %c", 'A'+i), Profile: profile})
	}
	task := &judges.RoleIdentification{Item: item}
	cfg := judges.Config{Models: []string{"judge"}, Policy: pb.OrderPolicy_ORDER_POLICY_CYCLIC}

	var calls, tokens int64
	n := 0
	start := time.Now()
	for b.Loop() {
		resp, err := engine.Judge(b.Context(), task, cfg)
		if err != nil {
			b.Fatal(err)
		}
		if resp.Status != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT || resp.Verdict.GetChoice() != 2 {
			b.Fatalf("status %v verdict %v (%s)", resp.Status, resp.Verdict, resp.Reason)
		}
		calls += resp.Usage.LlmCalls
		tokens += resp.Usage.PromptTokens + resp.Usage.CompletionTokens
		n++
	}
	perJudgment := time.Since(start) / time.Duration(n)
	b.ReportMetric(float64(perJudgment)/float64(latency), "wall/call")
	b.ReportMetric(float64(calls)/float64(n), "calls/judgment")
	b.ReportMetric(float64(tokens)/float64(n), "tokens/judgment")
}
