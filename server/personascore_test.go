package server

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

func psItem(id string, task pb.AdherenceTaskKind, marker string) *pb.PersonaScoreItem {
	return &pb.PersonaScoreItem{
		ItemId:   id,
		Task:     task,
		Setting:  "A harbour town in winter.",
		Question: "Question " + id + "?",
		Answer:   "An answer in character. " + marker,
	}
}

// scoredRequest: expected action 5 and 3 (mean 4), action justification 4
// and a judge error (mean 4), linguistic habits 2, persona consistency only
// a judge error, toxicity control no items. PersonaScore = (4+4+2)/3.
func scoredRequest() *pb.PersonaScoreRequest {
	return &pb.PersonaScoreRequest{
		Persona: testPersona,
		Items: []*pb.PersonaScoreItem{
			psItem("ea-1", expectedAction, "SCORE=5"),
			psItem("aj-1", justification, "SCORE=4"),
			psItem("ea-2", expectedAction, "SCORE=3"),
			psItem("aj-2", justification, "SCORE=?"),
			psItem("lh-1", linguistic, "SCORE=2"),
			psItem("pc-1", consistency, "SCORE=?"),
		},
		BootstrapSeed:    11,
		BootstrapSamples: 400,
	}
}

func TestPersonaScoreEndToEnd(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentAdherence(80))
	ctx := t.Context()
	req := scoredRequest()
	resp, err := h.connect.PersonaScore(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Judgments) != len(req.Items) {
		t.Fatalf("%d judgments for %d items", len(resp.Judgments), len(req.Items))
	}
	for i, j := range resp.Judgments {
		if j.ItemId != req.Items[i].ItemId || j.JudgmentId == "" {
			t.Fatalf("judgment %d is for item %q (id %q), want %q in request order", i, j.ItemId, j.JudgmentId, req.Items[i].ItemId)
		}
		wantErr := strings.Contains(req.Items[i].Answer, "SCORE=?")
		if (j.Status == judgeErr) != wantErr {
			t.Fatalf("item %s: status %v", j.ItemId, j.Status)
		}
	}
	want := []struct {
		task                    pb.AdherenceTaskKind
		mean                    float64 // NaN: unset
		items, scored, excluded int32
	}{
		{expectedAction, 4, 2, 2, 0},
		{justification, 4, 2, 1, 1},
		{linguistic, 2, 1, 1, 0},
		{consistency, math.NaN(), 1, 0, 1},
		{toxicity, math.NaN(), 0, 0, 0},
	}
	if len(resp.TaskScores) != 5 {
		t.Fatalf("%d task scores, want 5", len(resp.TaskScores))
	}
	for i, w := range want {
		ts := resp.TaskScores[i]
		if ts.Task != w.task || ts.Items != w.items || ts.Scored != w.scored || ts.ExcludedJudgeErrors != w.excluded {
			t.Errorf("task score %d = %v, want %v items %d scored %d excluded %d", i, ts, w.task, w.items, w.scored, w.excluded)
		}
		if math.IsNaN(w.mean) != (ts.Mean == nil) || (ts.Mean != nil && *ts.Mean != w.mean) {
			t.Errorf("%v mean %v, want %v", w.task, ts.Mean, w.mean)
		}
	}
	if resp.PersonaScore == nil || math.Abs(*resp.PersonaScore-10.0/3) > 1e-9 {
		t.Fatalf("persona_score %v, want 10/3", resp.PersonaScore)
	}
	if !slices.Equal(resp.MissingTasks, []pb.AdherenceTaskKind{consistency, toxicity}) {
		t.Fatalf("missing tasks %v", resp.MissingTasks)
	}
	for _, s := range []string{"persona consistency, toxicity control", "2 item(s) excluded for judge errors"} {
		if !strings.Contains(resp.Note, s) {
			t.Errorf("note %q lacks %q", resp.Note, s)
		}
	}
	iv := resp.PersonaScoreInterval
	if iv == nil || iv.Level != 0.95 || iv.Lower > *resp.PersonaScore || iv.Upper < *resp.PersonaScore || iv.Lower == iv.Upper {
		t.Fatalf("interval %v around %v", iv, *resp.PersonaScore)
	}
	// 6 items x 2 orders, plus 2 re-asks for each of the 2 orders of the
	// 2 unreadable items.
	if wantCalls := int64(6*2 + 2*2*2); resp.Usage.LlmCalls != wantCalls || h.fake.Calls() != wantCalls || resp.Usage.PromptTokens == 0 {
		t.Fatalf("usage %v, fake calls %d, want %d calls", resp.Usage, h.fake.Calls(), wantCalls)
	}
	if n := h.judgments(t); n != len(req.Items) {
		t.Fatalf("%d judgments recorded, want %d", n, len(req.Items))
	}
	// Same items, same seed: the same interval (over the JSON protocol too).
	again, err := h.json.PersonaScore(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if again.PersonaScoreInterval.Lower != iv.Lower || again.PersonaScoreInterval.Upper != iv.Upper {
		t.Fatalf("same seed, intervals %v and %v", iv, again.PersonaScoreInterval)
	}
}

// A biased judge's items still roll up, each at the mean of its orders,
// with the spread reported per judgment.
func TestPersonaScoreFirstLevelJudge(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.FirstLevel(90))
	req := &pb.PersonaScoreRequest{Persona: testPersona}
	for i, task := range []pb.AdherenceTaskKind{expectedAction, justification, linguistic, consistency, toxicity} {
		req.Items = append(req.Items, psItem(fmt.Sprint("i", i), task, ""))
	}
	resp, err := h.connect.PersonaScore(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetPersonaScore() != 3 || len(resp.MissingTasks) != 0 || resp.Note != "" {
		t.Fatalf("persona_score %v missing %v note %q, want 3 and complete", resp.GetPersonaScore(), resp.MissingTasks, resp.Note)
	}
	for _, j := range resp.Judgments {
		if j.ScoreSpread != 4 || j.PositionConsistency != 0 {
			t.Fatalf("judgment %s: spread %v consistency %v, want 4 and 0", j.ItemId, j.ScoreSpread, j.PositionConsistency)
		}
	}
}

// With two judge models, one of which fails, every item is scored by the
// other, and each judgment names the excluded model.
func TestPersonaScoreEnsembleOneModelFails(t *testing.T) {
	t.Parallel()
	down := func(*llmfake.Request, int64) llmfake.Reply { return llmfake.Reply{Status: 503} }
	h := newEnsembleHarness(t, fakejudge.ContentAdherence(80), down)
	req := scoredRequest()
	req.Judge = &pb.JudgeConfig{Models: []string{"judge-a", "judge-b"}}
	resp, err := h.connect.PersonaScore(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.PersonaScore == nil || math.Abs(*resp.PersonaScore-10.0/3) > 1e-9 {
		t.Fatalf("persona_score %v, want 10/3 from judge-a alone", resp.PersonaScore)
	}
	for _, j := range resp.Judgments {
		if !slices.Contains(j.FailedModels, "judge-b") {
			t.Fatalf("judgment %s: failed_models %v, want judge-b named", j.ItemId, j.FailedModels)
		}
	}
}

// Every field is checked before any item is judged: a bad request costs no
// LLM call and leaves nothing in the ledger.
func TestPersonaScoreBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentAdherence(80))
	many := make([]*pb.PersonaScoreItem, MaxPersonaScoreItems+1)
	for i := range many {
		many[i] = psItem(fmt.Sprint(i), toxicity, "")
	}
	tests := []struct {
		name  string
		edit  func(*pb.PersonaScoreRequest)
		field string
	}{
		{"empty persona", func(r *pb.PersonaScoreRequest) { r.Persona = "" }, "persona"},
		{"persona too long", func(r *pb.PersonaScoreRequest) { r.Persona = strings.Repeat("p", MaxPersonaBytes+1) }, "persona"},
		{"no items", func(r *pb.PersonaScoreRequest) { r.Items = nil }, "items"},
		{"too many items", func(r *pb.PersonaScoreRequest) { r.Items = many }, "items"},
		{"unknown task", func(r *pb.PersonaScoreRequest) { r.Items[1].Task = 0 }, "items[1].task"},
		{"empty answer", func(r *pb.PersonaScoreRequest) { r.Items[3].Answer = " " }, "items[3].answer"},
		{"empty question", func(r *pb.PersonaScoreRequest) { r.Items[0].Question = "" }, "items[0].question"},
		{"item id too long", func(r *pb.PersonaScoreRequest) { r.Items[2].ItemId = strings.Repeat("i", MaxItemIDBytes+1) }, "items[2].item_id"},
		{"three rubric levels", func(r *pb.PersonaScoreRequest) {
			r.Items[4].CustomRubric = &pb.Rubric{Levels: []string{"a", "b", "c"}}
		}, "items[4].custom_rubric.levels"},
		{"rubric examples not five", func(r *pb.PersonaScoreRequest) {
			r.Items[5].CustomRubric = &pb.Rubric{Levels: []string{"a", "b", "c", "d", "e"}, Examples: []string{"x"}}
		}, "items[5].custom_rubric.examples"},
		{"unknown model", func(r *pb.PersonaScoreRequest) { r.Judge = &pb.JudgeConfig{Models: []string{"nope"}} }, "judge.models[0]"},
		{"bad samples", func(r *pb.PersonaScoreRequest) { r.Judge = &pb.JudgeConfig{SamplesPerOrder: 6} }, "judge.samples_per_order"},
		{"negative bootstrap", func(r *pb.PersonaScoreRequest) { r.BootstrapSamples = -1 }, "bootstrap_samples"},
		{"huge bootstrap", func(r *pb.PersonaScoreRequest) { r.BootstrapSamples = MaxBootstrapSamples + 1 }, "bootstrap_samples"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := scoredRequest()
			tt.edit(req)
			_, err := h.connect.PersonaScore(t.Context(), req)
			assertInvalidField(t, err, tt.field)
		})
	}
	if n := h.judgments(t); n != 0 {
		t.Fatalf("%d judgments stored for rejected requests", n)
	}
	if h.fake.Calls() != 0 {
		t.Fatalf("rejected requests reached the LLM %d times", h.fake.Calls())
	}
	// The largest accepted request goes through.
	req := scoredRequest()
	req.Items = many[:MaxPersonaScoreItems]
	req.Judge = &pb.JudgeConfig{OrderPolicy: pb.OrderPolicy_ORDER_POLICY_SINGLE}
	resp, err := h.connect.PersonaScore(t.Context(), req)
	if err != nil {
		t.Fatalf("%d items: %v", MaxPersonaScoreItems, err)
	}
	if len(resp.Judgments) != MaxPersonaScoreItems || resp.TaskScores[4].Scored != MaxPersonaScoreItems {
		t.Fatalf("%d judgments, toxicity scored %d", len(resp.Judgments), resp.TaskScores[4].Scored)
	}
}

// An item whose backend cannot be reached fails the whole call with
// Unavailable, naming the item (never the backend's address).
func TestPersonaScoreUnreachableBackend(t *testing.T) {
	t.Parallel()
	fake := llmfake.New(fakejudge.ContentAdherence(50))
	url := fake.BaseURL()
	fake.Close()
	zero := 0
	h := newHarnessWith(t, fake, clients.FileConfig{Models: []clients.ModelConfig{{Name: "judge", BaseURL: url, MaxRetries: &zero}}})
	_, err := h.connect.PersonaScore(t.Context(), scoredRequest())
	if connect.CodeOf(err) != connect.CodeUnavailable {
		t.Fatalf("code %v (%v), want Unavailable", connect.CodeOf(err), err)
	}
	if !strings.Contains(err.Error(), "items[") || strings.Contains(err.Error(), url) {
		t.Fatalf("error %q must name the item and not the backend's URL", err)
	}
	if h.judgments(t) != 0 {
		t.Fatal("unreachable items were recorded as judgments")
	}
}
