package judges

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

var (
	ascOrder  = []int32{0, 1, 2, 3, 4}
	descOrder = []int32{4, 3, 2, 1, 0}
)

func scoreVote(model string, order []int32, score float64) *pb.Vote {
	return &pb.Vote{Model: model, ShownOrder: order, MappedAnswer: &pb.Answer{Score: &score}, ParseStatus: pb.ParseStatus_PARSE_STATUS_OK}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestAggregateScores(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		votes       []*pb.Vote
		score       float64
		spread      float64
		consistency float64
		dist        []float64
	}{
		{
			name:  "orders agree",
			votes: []*pb.Vote{scoreVote("m", ascOrder, 4), scoreVote("m", descOrder, 4)},
			score: 4, spread: 0, consistency: 1, dist: []float64{0, 0, 0, 1, 0},
		},
		{
			name:  "first level listed wins (1 ascending, 5 descending)",
			votes: []*pb.Vote{scoreVote("m", ascOrder, 1), scoreVote("m", descOrder, 5)},
			score: 3, spread: 4, consistency: 0, dist: []float64{0.5, 0, 0, 0, 0.5},
		},
		{
			name:  "one-point wobble",
			votes: []*pb.Vote{scoreVote("m", ascOrder, 4), scoreVote("m", descOrder, 3)},
			score: 3.5, spread: 1, consistency: 0.75, dist: []float64{0, 0, 0.5, 0.5, 0},
		},
		{
			// Means 4 and 2.5; spreads 0 and 1: consistency 1 - 0.5/4.
			name: "ensemble of two models",
			votes: []*pb.Vote{
				scoreVote("a", ascOrder, 4), scoreVote("a", descOrder, 4),
				scoreVote("b", ascOrder, 2), scoreVote("b", descOrder, 3),
			},
			score: 3.25, spread: 1, consistency: 0.875, dist: []float64{0, 0.25, 0.25, 0.5, 0},
		},
		{
			// Ascending samples 5,5,5 and descending 3: the orders weigh
			// the same (mean 4), not the votes (flat mean 4.5).
			name: "samples averaged within an order first",
			votes: []*pb.Vote{
				scoreVote("m", ascOrder, 5), scoreVote("m", ascOrder, 5), scoreVote("m", ascOrder, 5),
				scoreVote("m", descOrder, 3),
			},
			score: 4, spread: 2, consistency: 0.5, dist: []float64{0, 0, 0.25, 0, 0.75},
		},
		{
			name:  "single order",
			votes: []*pb.Vote{scoreVote("m", ascOrder, 2)},
			score: 2, spread: 0, consistency: 1, dist: []float64{0, 1, 0, 0, 0},
		},
		{
			// Spread is the max over models, consistency the mean.
			name: "spread is the worst model's",
			votes: []*pb.Vote{
				scoreVote("a", ascOrder, 1), scoreVote("a", descOrder, 5),
				scoreVote("b", ascOrder, 3), scoreVote("b", descOrder, 3),
			},
			score: 3, spread: 4, consistency: 0.5, dist: []float64{0.25, 0, 0.5, 0, 0.25},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := aggregateScores(tt.votes)
			if out.Status != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT || out.Verdict.Score == nil {
				t.Fatalf("status %v verdict %v, want a scored VERDICT", out.Status, out.Verdict)
			}
			if !near(*out.Verdict.Score, tt.score) || !near(out.ScoreSpread, tt.spread) || !near(out.Consistency, tt.consistency) {
				t.Fatalf("score %v spread %v consistency %v, want %v %v %v",
					*out.Verdict.Score, out.ScoreSpread, out.Consistency, tt.score, tt.spread, tt.consistency)
			}
			if !slices.EqualFunc(out.Distribution, tt.dist, near) {
				t.Fatalf("distribution %v, want %v", out.Distribution, tt.dist)
			}
			if (tt.spread > 0) != strings.Contains(out.Reason, "orders disagree") {
				t.Fatalf("reason %q with spread %v", out.Reason, tt.spread)
			}
			if out.Verdict.Choice != nil || out.Verdict.Tie {
				t.Fatalf("a score verdict carries a choice: %v", out.Verdict)
			}
		})
	}
}

// ensembleEngine is an engine over one fake serving several model names.
func ensembleEngine(t *testing.T, byModel map[string]llmfake.Behavior, names ...string) *Engine {
	t.Helper()
	fake := llmfake.New(fakejudge.ByModel(byModel))
	t.Cleanup(fake.Close)
	zero := 0
	var fc clients.FileConfig
	for _, n := range names {
		fc.Models = append(fc.Models, clients.ModelConfig{Name: n, BaseURL: fake.BaseURL(), MaxRetries: &zero, Timeout: "5s"})
	}
	reg, err := clients.NewRegistry(fc)
	if err != nil {
		t.Fatal(err)
	}
	return NewEngine(reg, WithMaxReasks(1))
}

// The engine drops a model whose calls failed, names it, and scores with
// the others; with every model failed the judgment is JUDGE_ERROR.
func TestEngineScoreEnsemble(t *testing.T) {
	t.Parallel()
	five := fakejudge.FixedScore(5, 80)
	two := fakejudge.FixedScore(2, 60)
	down := func(*llmfake.Request, int64) llmfake.Reply { return llmfake.Reply{Status: 500} }
	outOfRange := fakejudge.FixedScore(7, 90)
	tests := []struct {
		name   string
		models map[string]llmfake.Behavior
		status pb.JudgmentStatus
		score  float64
		failed []string
	}{
		{"two models, mean of their scores", map[string]llmfake.Behavior{"a": five, "b": two}, pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT, 3.5, nil},
		{"one model down", map[string]llmfake.Behavior{"a": five, "b": down}, pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT, 5, []string{"b"}},
		{"one model unreadable", map[string]llmfake.Behavior{"a": outOfRange, "b": two}, pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT, 2, []string{"a"}},
		{"every model fails", map[string]llmfake.Behavior{"a": outOfRange, "b": down}, pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR, 0, []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := ensembleEngine(t, tt.models, "a", "b")
			resp, err := e.Judge(t.Context(), &Adherence{Item: adherenceItem()}, Config{Models: []string{"a", "b"}, Samples: 1})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tt.status || !slices.Equal(resp.FailedModels, tt.failed) {
				t.Fatalf("status %v failed %v (reason %q), want %v %v", resp.Status, resp.FailedModels, resp.Reason, tt.status, tt.failed)
			}
			if len(resp.Votes) != 4 {
				t.Fatalf("%d votes, want 2 models x 2 orders kept in full", len(resp.Votes))
			}
			if tt.status == pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR {
				if resp.Verdict != nil || resp.Distribution != nil {
					t.Fatalf("JUDGE_ERROR carries a verdict: %v", resp.Verdict)
				}
				return
			}
			if !near(resp.Verdict.GetScore(), tt.score) || resp.Consistency != 1 || resp.ScoreSpread != 0 {
				t.Fatalf("score %v consistency %v spread %v, want %v 1 0", resp.Verdict.GetScore(), resp.Consistency, resp.ScoreSpread, tt.score)
			}
			for _, f := range tt.failed {
				if !strings.Contains(resp.Reason, `model "`+f+`"`) {
					t.Fatalf("reason %q does not name excluded model %q", resp.Reason, f)
				}
			}
			if resp.Profile != "adherence/a+b/adh-v1.expected_action.r1/cyclic" {
				t.Fatalf("profile %q", resp.Profile)
			}
		})
	}
}
