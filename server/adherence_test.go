package server

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
	"github.com/personajudge/personajudge/judges"
	"google.golang.org/protobuf/proto"
)

const (
	expectedAction = pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_EXPECTED_ACTION
	justification  = pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_ACTION_JUSTIFICATION
	linguistic     = pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_LINGUISTIC_HABITS
	consistency    = pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_PERSONA_CONSISTENCY
	toxicity       = pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_TOXICITY_CONTROL
)

const testPersona = "A retired lighthouse keeper from Cornwall who distrusts smartphones."

// adherenceReq is an adherence item whose answer carries a content marker
// for fakejudge.ContentAdherence ("SCORE=4", "SCORE=?").
func adherenceReq(marker string) *pb.ScoreRequest {
	return &pb.ScoreRequest{
		ItemId: "adh-1",
		Task: &pb.ScoreRequest_Adherence{Adherence: &pb.PersonaAdherenceTask{
			Persona:  testPersona,
			Task:     expectedAction,
			Setting:  "A storm knocks out the village's power.",
			Question: "What do you do first?",
			Answer:   "I light the paraffin lamps, as I did for forty years. " + marker,
		}},
	}
}

// newEnsembleHarness serves two judge models, "judge-a" and "judge-b", from
// one fake that answers each with its own behaviour.
func newEnsembleHarness(t testing.TB, a, b llmfake.Behavior) *harness {
	t.Helper()
	fake := llmfake.New(fakejudge.ByModel(map[string]llmfake.Behavior{"judge-a": a, "judge-b": b}))
	t.Cleanup(fake.Close)
	zero := 0
	return newHarnessWith(t, fake, clients.FileConfig{Models: []clients.ModelConfig{
		{Name: "judge-a", BaseURL: fake.BaseURL(), MaxConcurrency: 16, Timeout: "5s", MaxRetries: &zero},
		{Name: "judge-b", BaseURL: fake.BaseURL(), MaxConcurrency: 16, Timeout: "5s", MaxRetries: &zero},
	}})
}

var (
	ascending  = []int32{0, 1, 2, 3, 4}
	descending = []int32{4, 3, 2, 1, 0}
)

// A judge that reads content gives the same score in both rubric orders:
// consistency 1, no spread, over every protocol, recorded and readable back.
func TestAdherenceContentJudgeAllProtocols(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentAdherence(85))
	ctx := t.Context()
	req := adherenceReq("SCORE=4")
	calls := map[string]func() (*pb.ScoreResponse, error){
		"grpc-connect": func() (*pb.ScoreResponse, error) { return h.connect.Score(ctx, req) },
		"connect-json": func() (*pb.ScoreResponse, error) { return h.json.Score(ctx, req) },
		"grpc-go":      func() (*pb.ScoreResponse, error) { return h.grpc.Score(ctx, req) },
	}
	for name, call := range calls {
		resp, err := call()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if resp.Status != verdict || resp.Verdict.Score == nil || resp.Verdict.GetScore() != 4 || resp.Verdict.Choice != nil {
			t.Fatalf("%s: status %v verdict %v, want VERDICT score 4", name, resp.Status, resp.Verdict)
		}
		if resp.PositionConsistency != 1 || resp.ScoreSpread != 0 {
			t.Errorf("%s: consistency %v spread %v, want 1 and 0", name, resp.PositionConsistency, resp.ScoreSpread)
		}
		if len(resp.Votes) != 2 || !slices.Equal(resp.Votes[0].ShownOrder, ascending) || !slices.Equal(resp.Votes[1].ShownOrder, descending) {
			t.Fatalf("%s: want an ascending and a descending vote, got %v", name, resp.Votes)
		}
		if !slices.Equal(resp.Distribution, []float64{0, 0, 0, 1, 0}) {
			t.Errorf("%s: distribution %v", name, resp.Distribution)
		}
		if resp.JudgeProfile != "adherence/judge/adh-v1.expected_action.r1/cyclic" || resp.ItemId != "adh-1" {
			t.Errorf("%s: profile %q item %q", name, resp.JudgeProfile, resp.ItemId)
		}
		got, err := h.grpc.GetJudgment(ctx, &pb.GetJudgmentRequest{JudgmentId: resp.JudgmentId})
		if err != nil {
			t.Fatalf("%s: GetJudgment: %v", name, err)
		}
		if !proto.Equal(got.Judgment, resp) || !proto.Equal(got.Request, req) {
			t.Fatalf("%s: stored judgment differs from the response", name)
		}
	}
}

// A judge drawn to the first level listed scores 1 ascending and 5
// descending: the mean is reported with the spread and consistency 0,
// never one order's score passed off as the verdict.
func TestAdherenceFirstLevelBias(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.FirstLevel(95))
	ctx := t.Context()
	resp, err := h.connect.Score(ctx, adherenceReq("SCORE=4"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != verdict || resp.Verdict.GetScore() != 3 || resp.ScoreSpread != 4 || resp.PositionConsistency != 0 {
		t.Fatalf("status %v score %v spread %v consistency %v, want VERDICT 3, spread 4, consistency 0",
			resp.Status, resp.Verdict.GetScore(), resp.ScoreSpread, resp.PositionConsistency)
	}
	if !strings.Contains(resp.Reason, "position effect") {
		t.Errorf("reason %q does not report the position effect", resp.Reason)
	}
	if resp.Votes[0].MappedAnswer.GetScore() != 1 || resp.Votes[1].MappedAnswer.GetScore() != 5 {
		t.Errorf("votes scored %v and %v, want 1 ascending and 5 descending", resp.Votes[0].MappedAnswer, resp.Votes[1].MappedAnswer)
	}
	// The single policy shows one order and cannot see the bias.
	req := adherenceReq("SCORE=4")
	req.Judge = &pb.JudgeConfig{OrderPolicy: pb.OrderPolicy_ORDER_POLICY_SINGLE}
	resp, err = h.connect.Score(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Votes) != 1 || resp.Verdict.GetScore() != 1 || resp.PositionConsistency != 1 || resp.JudgeProfile != "adherence/judge/adh-v1.expected_action.r1/single" {
		t.Fatalf("single: %d votes score %v consistency %v profile %q", len(resp.Votes), resp.Verdict.GetScore(), resp.PositionConsistency, resp.JudgeProfile)
	}
}

// A custom rubric replaces the built-in levels, reaches the judge fenced,
// and shows in the judge profile.
func TestAdherenceCustomRubric(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []string
	content := fakejudge.ContentAdherence(70)
	h := newHarness(t, func(req *llmfake.Request, n int64) llmfake.Reply {
		mu.Lock()
		seen = append(seen, req.User())
		mu.Unlock()
		return content(req, n)
	})
	req := adherenceReq("SCORE=2")
	req.GetAdherence().CustomRubric = &pb.Rubric{
		Levels:   []string{"custom-L1", "custom-L2", "custom-L3", "custom-L4", "custom-L5"},
		Examples: []string{"custom-E1", "custom-E2", "custom-E3", "custom-E4", "custom-E5"},
	}
	resp, err := h.connect.Score(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Verdict.GetScore() != 2 || !strings.HasPrefix(resp.JudgeProfile, "adherence/judge/adh-v1.expected_action.c-") {
		t.Fatalf("score %v profile %q, want 2 and a custom-rubric profile", resp.Verdict.GetScore(), resp.JudgeProfile)
	}
	if len(seen) != 2 {
		t.Fatalf("fake saw %d calls", len(seen))
	}
	for _, user := range seen {
		for _, want := range []string{"BEGIN level 3>>>\ncustom-L3\n", "BEGIN example 5>>>\ncustom-E5\n"} {
			if !strings.Contains(user, want) {
				t.Errorf("prompt lacks fenced %q", want)
			}
		}
		if r, _ := judges.BuiltinRubric(expectedAction); strings.Contains(user, r.Levels[0]) {
			t.Errorf("prompt still shows the built-in level 1")
		}
	}
}

// Ensembles: each model judges every order; a model whose calls fail is
// excluded and named; with every model failed the judgment is JUDGE_ERROR,
// still recorded.
func TestAdherenceEnsemble(t *testing.T) {
	t.Parallel()
	content := fakejudge.ContentAdherence(80)
	down := func(*llmfake.Request, int64) llmfake.Reply { return llmfake.Reply{Status: 500} }
	tests := []struct {
		name   string
		a, b   llmfake.Behavior
		status pb.JudgmentStatus
		score  float64
		failed []string
	}{
		{"both answer: the mean", content, fakejudge.FixedScore(2, 60), verdict, 3, nil},
		{"one model down", content, down, verdict, 4, []string{"judge-b"}},
		{"one model out of range", fakejudge.FixedScore(7, 90), content, verdict, 4, []string{"judge-a"}},
		{"both fail", fakejudge.FixedScore(0, 90), down, judgeErr, 0, []string{"judge-a", "judge-b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newEnsembleHarness(t, tt.a, tt.b)
			req := adherenceReq("SCORE=4")
			req.Judge = &pb.JudgeConfig{Models: []string{"judge-a", "judge-b"}}
			resp, err := h.connect.Score(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tt.status || !slices.Equal(resp.FailedModels, tt.failed) {
				t.Fatalf("status %v failed %v (reason %q), want %v %v", resp.Status, resp.FailedModels, resp.Reason, tt.status, tt.failed)
			}
			perModel := map[string]int{}
			for _, v := range resp.Votes {
				perModel[v.Model]++
			}
			if perModel["judge-a"] != 2 || perModel["judge-b"] != 2 {
				t.Fatalf("votes per model %v, want 2 each", perModel)
			}
			if tt.status == verdict && resp.Verdict.GetScore() != tt.score {
				t.Fatalf("score %v, want %v", resp.Verdict.GetScore(), tt.score)
			}
			if tt.status == judgeErr && resp.Verdict != nil {
				t.Fatalf("JUDGE_ERROR with a verdict %v", resp.Verdict)
			}
			for _, f := range tt.failed {
				if !strings.Contains(resp.Reason, f) {
					t.Errorf("reason %q does not name %s", resp.Reason, f)
				}
			}
			if resp.JudgeProfile != "adherence/judge-a+judge-b/adh-v1.expected_action.r1/cyclic" {
				t.Errorf("profile %q", resp.JudgeProfile)
			}
			if h.judgments(t) != 1 {
				t.Fatal("judgment not recorded")
			}
		})
	}
}

func TestAdherenceBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentAdherence(80))
	adh := func(r *pb.ScoreRequest) *pb.PersonaAdherenceTask { return r.GetAdherence() }
	five := []string{"1", "2", "3", "4", "5"}
	tests := []struct {
		name  string
		edit  func(*pb.ScoreRequest)
		field string
	}{
		{"unspecified task", func(r *pb.ScoreRequest) { adh(r).Task = 0 }, "adherence.task"},
		{"unknown task", func(r *pb.ScoreRequest) { adh(r).Task = 42 }, "adherence.task"},
		{"empty persona", func(r *pb.ScoreRequest) { adh(r).Persona = " " }, "adherence.persona"},
		{"empty question", func(r *pb.ScoreRequest) { adh(r).Question = "" }, "adherence.question"},
		{"empty answer", func(r *pb.ScoreRequest) { adh(r).Answer = "\n\t" }, "adherence.answer"},
		{"answer too long", func(r *pb.ScoreRequest) { adh(r).Answer = strings.Repeat("a", MaxAnswerBytes+1) }, "adherence.answer"},
		{"setting too long", func(r *pb.ScoreRequest) { adh(r).Setting = strings.Repeat("s", MaxSettingBytes+1) }, "adherence.setting"},
		{"question too long", func(r *pb.ScoreRequest) { adh(r).Question = strings.Repeat("q", MaxQuestionBytes+1) }, "adherence.question"},
		{"persona too long", func(r *pb.ScoreRequest) { adh(r).Persona = strings.Repeat("p", MaxPersonaBytes+1) }, "adherence.persona"},
		{"four levels", func(r *pb.ScoreRequest) { adh(r).CustomRubric = &pb.Rubric{Levels: five[:4]} }, "adherence.custom_rubric.levels"},
		{"six levels", func(r *pb.ScoreRequest) { adh(r).CustomRubric = &pb.Rubric{Levels: append(five, "6")} }, "adherence.custom_rubric.levels"},
		{"empty level", func(r *pb.ScoreRequest) {
			adh(r).CustomRubric = &pb.Rubric{Levels: []string{"1", "2", " ", "4", "5"}}
		}, "adherence.custom_rubric.levels[2]"},
		{"level too long", func(r *pb.ScoreRequest) {
			adh(r).CustomRubric = &pb.Rubric{Levels: []string{"1", strings.Repeat("l", MaxRubricLevelBytes+1), "3", "4", "5"}}
		}, "adherence.custom_rubric.levels[1]"},
		{"no levels, no examples", func(r *pb.ScoreRequest) { adh(r).CustomRubric = &pb.Rubric{} }, "adherence.custom_rubric.levels"},
		{"no levels, two examples", func(r *pb.ScoreRequest) {
			adh(r).CustomRubric = &pb.Rubric{Examples: five[:2]}
		}, "adherence.custom_rubric.examples"},
		{"two examples", func(r *pb.ScoreRequest) {
			adh(r).CustomRubric = &pb.Rubric{Levels: five, Examples: five[:2]}
		}, "adherence.custom_rubric.examples"},
		{"empty example", func(r *pb.ScoreRequest) {
			adh(r).CustomRubric = &pb.Rubric{Levels: five, Examples: []string{"1", "2", "3", "4", ""}}
		}, "adherence.custom_rubric.examples[4]"},
		{"unknown model", func(r *pb.ScoreRequest) { r.Judge = &pb.JudgeConfig{Models: []string{"gpt-9"}} }, "judge.models[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := adherenceReq("SCORE=4")
			tt.edit(req)
			_, err := h.connect.Score(t.Context(), req)
			assertInvalidField(t, err, tt.field)
		})
	}
	if n := h.judgments(t); n != 0 {
		t.Fatalf("%d judgments stored for rejected requests", n)
	}
	if h.fake.Calls() != 0 {
		t.Fatalf("rejected requests reached the LLM %d times", h.fake.Calls())
	}
}
