package eval

import (
	"bytes"
	"strings"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

// Quality figures count every result, cost figures only this run's, and
// only labelled verdicts with a judgment_id become outcomes to record.
func TestSummaryCounts(t *testing.T) {
	t.Parallel()
	s := newSummary(&Config{Results: "r.jsonl", RecordOutcomes: true})
	verdict := func(id string, choice int32, consistency float64, high bool) *pb.ScoreResponse {
		return &pb.ScoreResponse{ItemId: id, JudgmentId: "j-" + id, Status: pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT,
			Verdict: &pb.Verdict{Choice: proto.Int32(choice)}, PositionConsistency: consistency, HighCertainty: high,
			Usage: &pb.Usage{LlmCalls: 2, CacheHits: 1, PromptTokens: 100, CompletionTokens: 10}}
	}
	one, two := &pb.Label{Choice: proto.Int32(1)}, &pb.Label{Choice: proto.Int32(2)}
	s.add(verdict("a", 1, 1, true), one, false) // earlier run: right, high certainty
	s.add(verdict("b", 1, 1, true), two, true)  // wrong, high certainty
	s.add(verdict("c", 2, 0.5, false), nil, true)
	s.add(&pb.ScoreResponse{ItemId: "d", Status: pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN, PositionConsistency: 0}, one, true)
	s.add(&pb.ScoreResponse{ItemId: "e", Status: pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR}, one, true)

	if s.Results != 5 || s.Labelled != 4 || s.LabelledVerdicts != 2 || s.Correct != 1 {
		t.Errorf("results %d, labelled %d, labelled verdicts %d, correct %d; want 5, 4, 2, 1", s.Results, s.Labelled, s.LabelledVerdicts, s.Correct)
	}
	if s.Voted != 4 || s.Consistent != 2 || s.ConsistencySum != 2.5 {
		t.Errorf("voted %d, consistent %d, consistency sum %v; want 4, 2, 2.5", s.Voted, s.Consistent, s.ConsistencySum)
	}
	if s.HighCertainty != 2 || s.HighLabelled != 2 || s.HighCorrect != 1 {
		t.Errorf("high certainty %d, labelled %d, correct %d; want 2, 2, 1", s.HighCertainty, s.HighLabelled, s.HighCorrect)
	}
	if s.Judged != 4 || s.LLMCalls != 4 || s.CacheHits != 2 || s.PromptTokens != 200 || s.CompletionTokens != 20 {
		t.Errorf("this run: judged %d, LLM calls %d, cache hits %d, tokens %d + %d; want 4, 4, 2, 200 + 20",
			s.Judged, s.LLMCalls, s.CacheHits, s.PromptTokens, s.CompletionTokens)
	}
	if len(s.outcomes) != 2 || s.outcomes[0].JudgmentId != "j-a" || s.outcomes[1].JudgmentId != "j-b" {
		t.Errorf("outcomes to record %v, want those of a and b", s.outcomes)
	}
}

func TestSummaryReport(t *testing.T) {
	t.Parallel()
	s := newSummary(&Config{Results: "r.jsonl"})
	var buf bytes.Buffer
	s.print(&buf)
	for _, want := range []string{"eval summary: 0 results in r.jsonl", "accuracy        n/a (no item carries a label)", "high certainty  0 results"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("empty report lacks %q:\n%s", want, buf.String())
		}
	}
	for _, unwanted := range []string{"outcomes", "simulator"} {
		if strings.Contains(buf.String(), unwanted) {
			t.Errorf("report shows %s, which this run had none of:\n%s", unwanted, buf.String())
		}
	}

	s = newSummary(&Config{Results: "r.jsonl", RecordOutcomes: true})
	s.SimulatorCalls = 7
	s.outcomesNote = "stopped at label 0"
	buf.Reset()
	s.print(&buf)
	for _, want := range []string{"outcomes        0 recorded, 0 unchanged of 0 labelled verdicts; stopped at label 0", "simulator       7 HTTP requests received"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, buf.String())
		}
	}
}
