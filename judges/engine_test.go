package judges

import (
	"context"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

const (
	engVerdict  = pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT
	engAbstain  = pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN
	engJudgeErr = pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR
)

// engItem is a preference item whose response B (canonical 1) carries the
// marker a content-following judge looks for.
func engItem() *Preference {
	return &Preference{Item: &pb.PersonalizedPreferenceTask{
		Persona:   "a retired sailor",
		Query:     "how do tides work?",
		ResponseA: "plain answer",
		ResponseB: "GOOD answer",
	}}
}

// engModel is one configured model for engNew: its behaviour on a shared
// fake, or dead (a base URL where nothing listens).
type engModel struct {
	name     string
	behavior llmfake.Behavior
	dead     bool
	retries  int
}

// engNew builds an engine over one llmfake server that dispatches on the
// requested model id, plus dead addresses for unreachable models.
func engNew(t *testing.T, models ...engModel) *Engine {
	t.Helper()
	byModel := map[string]llmfake.Behavior{}
	for _, m := range models {
		byModel[m.name] = m.behavior
	}
	fake := llmfake.New(func(req *llmfake.Request, n int64) llmfake.Reply {
		b := byModel[req.Model]
		if b == nil {
			return llmfake.Reply{Status: 404, ErrorMessage: "unknown model " + req.Model}
		}
		return b(req, n)
	})
	t.Cleanup(fake.Close)
	dead := llmfake.New(func(*llmfake.Request, int64) llmfake.Reply { return llmfake.Reply{} })
	deadURL := dead.BaseURL()
	dead.Close()

	var fc clients.FileConfig
	for _, m := range models {
		retries := m.retries
		base := fake.BaseURL()
		if m.dead {
			base = deadURL
		}
		fc.Models = append(fc.Models, clients.ModelConfig{Name: m.name, BaseURL: base, MaxRetries: &retries, Timeout: "10s"})
	}
	reg, err := clients.NewRegistry(fc)
	if err != nil {
		t.Fatal(err)
	}
	return NewEngine(reg, WithMaxReasks(1))
}

func engCfg(models ...string) Config { return Config{Models: models} }

var (
	engFollows = fakejudge.ContentPreference("GOOD", 90)
	engDown    = func(*llmfake.Request, int64) llmfake.Reply { return llmfake.Reply{Status: 500} }
)

// engHalf answers validly (A, canonical 0, certainty 100) only when the
// options are shown in canonical order; in the swapped order it never
// answers readably.
func engHalf(item *pb.PersonalizedPreferenceTask) llmfake.Behavior {
	return func(req *llmfake.Request, _ int64) llmfake.Reply {
		blocks, _ := fakejudge.Split(req)
		if a, _ := fakejudge.BlockText(blocks, "response A"); a == item.ResponseA {
			return llmfake.Reply{Content: fakejudge.PreferenceAnswer("A", 100)}
		}
		return llmfake.Reply{Content: "I would rather not say."}
	}
}

func TestEngineEnsembleFailures(t *testing.T) {
	t.Parallel()
	half := engHalf(engItem().Item)
	tests := []struct {
		name        string
		models      []engModel
		status      pb.JudgmentStatus
		choice      int32 // when status is VERDICT
		failed      []string
		votes       int
		reasonHas   []string
		certainty   float64 // verbal certainty, when status is VERDICT
		consistency float64
	}{
		{
			name:   "both models follow content",
			models: []engModel{{name: "a", behavior: engFollows}, {name: "b", behavior: engFollows}},
			status: engVerdict, choice: 1, votes: 4, certainty: 89.0 / 99, consistency: 1,
		},
		{
			name:   "second model fails every call",
			models: []engModel{{name: "good", behavior: engFollows}, {name: "bad", behavior: engDown}},
			status: engVerdict, choice: 1, failed: []string{"bad"}, votes: 4,
			reasonHas: []string{`excluded model "bad"`, "HTTP 500"}, certainty: 89.0 / 99, consistency: 1,
		},
		{
			name:   "first model fails every call",
			models: []engModel{{name: "bad", behavior: engDown}, {name: "good", behavior: engFollows}},
			status: engVerdict, choice: 1, failed: []string{"bad"}, votes: 4,
			reasonHas: []string{`model "bad"`}, certainty: 89.0 / 99, consistency: 1,
		},
		{
			name:   "both models fail",
			models: []engModel{{name: "a", behavior: engDown}, {name: "b", behavior: engDown}},
			status: engJudgeErr, failed: []string{"a", "b"}, votes: 4,
			reasonHas: []string{`model "a"`, `model "b"`},
		},
		{
			// The half model's valid vote says canonical 0 at certainty 100;
			// had it been kept, the orders would disagree.
			name:   "a model valid in only one order is excluded",
			models: []engModel{{name: "good", behavior: engFollows}, {name: "half", behavior: half}},
			status: engVerdict, choice: 1, failed: []string{"half"}, votes: 4,
			reasonHas: []string{`model "half"`, "order [1 0]", "unreadable output"}, certainty: 89.0 / 99, consistency: 1,
		},
		{
			name:   "a model valid in only one order alone is a judge error",
			models: []engModel{{name: "half", behavior: half}},
			status: engJudgeErr, failed: []string{"half"}, votes: 2,
			reasonHas: []string{`model "half"`, "order [1 0]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := engNew(t, tt.models...)
			var names []string
			for _, m := range tt.models {
				names = append(names, m.name)
			}
			resp, err := e.Judge(t.Context(), engItem(), engCfg(names...))
			if err != nil {
				t.Fatalf("Judge: %v", err)
			}
			if resp.Status != tt.status {
				t.Fatalf("status = %v (%s), want %v", resp.Status, resp.Reason, tt.status)
			}
			if !slices.Equal(resp.FailedModels, tt.failed) {
				t.Errorf("failed_models = %v, want %v", resp.FailedModels, tt.failed)
			}
			if len(resp.Votes) != tt.votes {
				t.Errorf("%d votes, want %d", len(resp.Votes), tt.votes)
			}
			for _, s := range tt.reasonHas {
				if !strings.Contains(resp.Reason, s) {
					t.Errorf("reason %q lacks %q", resp.Reason, s)
				}
			}
			if tt.status == engVerdict {
				if resp.Verdict == nil || resp.Verdict.Choice == nil || *resp.Verdict.Choice != tt.choice || resp.Verdict.Tie {
					t.Fatalf("verdict = %v, want choice %d", resp.Verdict, tt.choice)
				}
				if math.Abs(resp.Certainty-tt.certainty) > 1e-9 {
					t.Errorf("verbal certainty = %v, want %v", resp.Certainty, tt.certainty)
				}
				if resp.Consistency != tt.consistency {
					t.Errorf("position consistency = %v, want %v", resp.Consistency, tt.consistency)
				}
				if !reflect.DeepEqual(resp.Distribution, []float64{0, 1}) {
					t.Errorf("distribution = %v, want [0 1]", resp.Distribution)
				}
			} else if resp.Verdict != nil || resp.Distribution != nil {
				t.Errorf("judge error carries verdict %v / distribution %v", resp.Verdict, resp.Distribution)
			}
			// Failed models' votes say why; every vote keeps its model and order.
			for _, v := range resp.Votes {
				if len(v.ShownOrder) != 2 || v.Usage == nil || v.Latency == nil {
					t.Errorf("vote %v lacks order, usage or latency", v)
				}
				if slices.Contains(resp.FailedModels, v.Model) && !valid(v) && v.Error == "" {
					t.Errorf("failed vote %v has no error", v)
				}
			}
		})
	}
}

// Transport failures are TRANSPORT_ERROR votes with their attempts counted;
// unreadable output is re-asked up to MaxReasks and then FAILED.
func TestEngineVoteStatuses(t *testing.T) {
	t.Parallel()
	item := engItem()
	e := engNew(t,
		engModel{name: "good", behavior: engFollows},
		engModel{name: "bad", behavior: engDown},
		engModel{name: "half", behavior: engHalf(item.Item)},
	)
	resp, err := e.Judge(t.Context(), item, engCfg("good", "bad", "half"))
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		model string
		first int32
	}
	got := map[key]*pb.Vote{}
	for _, v := range resp.Votes {
		got[key{v.Model, v.ShownOrder[0]}] = v
	}
	tests := []struct {
		k      key
		status pb.ParseStatus
		calls  int64
		answer *pb.Answer
	}{
		{key{"good", 0}, pb.ParseStatus_PARSE_STATUS_OK, 1, &pb.Answer{Choice: ptr(int32(1))}},
		{key{"good", 1}, pb.ParseStatus_PARSE_STATUS_OK, 1, &pb.Answer{Choice: ptr(int32(1))}},
		{key{"bad", 0}, pb.ParseStatus_PARSE_STATUS_TRANSPORT_ERROR, 1, nil},
		{key{"bad", 1}, pb.ParseStatus_PARSE_STATUS_TRANSPORT_ERROR, 1, nil},
		{key{"half", 0}, pb.ParseStatus_PARSE_STATUS_OK, 1, &pb.Answer{Choice: ptr(int32(0))}},
		{key{"half", 1}, pb.ParseStatus_PARSE_STATUS_FAILED, 2, nil}, // asked, re-asked once
	}
	for _, tt := range tests {
		v := got[tt.k]
		if v == nil {
			t.Fatalf("no vote for %v", tt.k)
		}
		if v.ParseStatus != tt.status || v.Usage.LlmCalls != tt.calls {
			t.Errorf("%v: status %v calls %d, want %v %d (error %q)", tt.k, v.ParseStatus, v.Usage.LlmCalls, tt.status, tt.calls, v.Error)
		}
		if tt.answer == nil {
			if v.MappedAnswer != nil || v.Error == "" {
				t.Errorf("%v: answer %v error %q, want no answer and an error", tt.k, v.MappedAnswer, v.Error)
			}
		} else if v.MappedAnswer.GetChoice() != tt.answer.GetChoice() || v.MappedAnswer.Choice == nil {
			t.Errorf("%v: answer %v, want %v", tt.k, v.MappedAnswer, tt.answer)
		}
	}
	if !slices.Equal(resp.FailedModels, []string{"bad", "half"}) || resp.Status != engVerdict || resp.Verdict.GetChoice() != 1 {
		t.Errorf("failed %v status %v verdict %v", resp.FailedModels, resp.Status, resp.Verdict)
	}
}

// Usage totals are the sum over votes, retries and re-asks included.
func TestEngineUsageTotals(t *testing.T) {
	t.Parallel()
	item := engItem()
	var calls atomic.Int64
	scripted := func(req *llmfake.Request, _ int64) llmfake.Reply {
		if calls.Add(1) == 1 { // this model's first call is rate limited once
			return llmfake.Reply{Status: 429, Header: map[string]string{"Retry-After-Ms": "1"}}
		}
		blocks, _ := fakejudge.Split(req)
		a, _ := fakejudge.BlockText(blocks, "response A")
		if a == item.Item.ResponseB && req.Reasks() == 0 { // swapped order: unreadable once
			return llmfake.Reply{Content: "hmm", PromptTokens: 100, CompletionTokens: 10}
		}
		label := "B"
		if a == item.Item.ResponseB {
			label = "A"
		}
		return llmfake.Reply{Content: fakejudge.PreferenceAnswer(label, 80), PromptTokens: 100, CompletionTokens: 10}
	}
	e := engNew(t,
		engModel{name: "scripted", behavior: scripted, retries: 2},
		engModel{name: "follows", behavior: engFollows},
		engModel{name: "bad", behavior: engDown},
	)
	resp, err := e.Judge(t.Context(), item, engCfg("scripted", "follows", "bad"))
	if err != nil {
		t.Fatal(err)
	}
	var sum pb.Usage
	perModel := map[string]*pb.Usage{}
	for _, v := range resp.Votes {
		sum.PromptTokens += v.Usage.PromptTokens
		sum.CompletionTokens += v.Usage.CompletionTokens
		sum.LlmCalls += v.Usage.LlmCalls
		sum.CacheHits += v.Usage.CacheHits
		u := perModel[v.Model]
		if u == nil {
			u = &pb.Usage{}
			perModel[v.Model] = u
		}
		u.PromptTokens += v.Usage.PromptTokens
		u.CompletionTokens += v.Usage.CompletionTokens
		u.LlmCalls += v.Usage.LlmCalls
	}
	if resp.Usage.PromptTokens != sum.PromptTokens || resp.Usage.CompletionTokens != sum.CompletionTokens ||
		resp.Usage.LlmCalls != sum.LlmCalls || resp.Usage.CacheHits != sum.CacheHits {
		t.Errorf("usage = %v, want the sum over votes %v", resp.Usage, &sum)
	}
	// Hand count for the scripted model: one 429 retried, the canonical
	// order answered, the swapped order answered on the re-ask: 4 HTTP
	// attempts, 3 completions of 100+10 tokens.
	if u := perModel["scripted"]; u.LlmCalls != 4 || u.PromptTokens != 300 || u.CompletionTokens != 30 {
		t.Errorf("scripted usage = %v, want 4 calls, 300 prompt, 30 completion tokens", u)
	}
	if u := perModel["bad"]; u.LlmCalls != 2 || u.PromptTokens != 0 || u.CompletionTokens != 0 {
		t.Errorf("bad usage = %v, want 2 calls and no tokens", u)
	}
	if u := perModel["follows"]; u.LlmCalls != 2 || u.PromptTokens == 0 || u.CompletionTokens == 0 {
		t.Errorf("follows usage = %v, want 2 calls with tokens", u)
	}
	if resp.Usage.LlmCalls != 8 {
		t.Errorf("total llm_calls = %d, want 8", resp.Usage.LlmCalls)
	}
	if resp.Status != engVerdict || resp.Verdict.GetChoice() != 1 || !slices.Equal(resp.FailedModels, []string{"bad"}) {
		t.Errorf("status %v verdict %v failed %v", resp.Status, resp.Verdict, resp.FailedModels)
	}
}

func TestEngineProfile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		task Task
		cfg  Config
		want string
	}{
		{&Preference{}, Config{Models: []string{"m"}}, "preference/m/" + PreferencePromptVersion + "/cyclic"},
		{&Preference{}, Config{Models: []string{"m"}, Policy: pb.OrderPolicy_ORDER_POLICY_CYCLIC}, "preference/m/" + PreferencePromptVersion + "/cyclic"},
		{&Preference{}, Config{Models: []string{"m1", "m2"}, Policy: pb.OrderPolicy_ORDER_POLICY_SINGLE}, "preference/m1+m2/" + PreferencePromptVersion + "/single"},
		// Everything that changes what a certainty means is in the profile.
		{&Preference{AllowTie: true}, Config{Models: []string{"gpt", "llama"}, Policy: pb.OrderPolicy_ORDER_POLICY_REVERSED}, "preference/gpt+llama/" + PreferencePromptVersion + "+tie/reversed"},
		{&Preference{}, Config{Models: []string{"m"}, Temperature: 0.7, Samples: 3}, "preference/m/" + PreferencePromptVersion + "/cyclic/t0.7/s3"},
		{&Preference{}, Config{Models: []string{"m"}, Samples: 1}, "preference/m/" + PreferencePromptVersion + "/cyclic"},
	}
	for _, tt := range tests {
		if got := Profile(tt.task, tt.cfg); got != tt.want {
			t.Errorf("Profile(%v) = %q, want %q", tt.cfg, got, tt.want)
		}
	}
	e := engNew(t, engModel{name: "a", behavior: engFollows}, engModel{name: "b", behavior: engFollows})
	resp, err := e.Judge(t.Context(), engItem(), Config{Models: []string{"a", "b"}, Policy: pb.OrderPolicy_ORDER_POLICY_SINGLE})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Profile != "preference/a+b/"+PreferencePromptVersion+"/single" || len(resp.Votes) != 2 {
		t.Errorf("profile %q with %d votes", resp.Profile, len(resp.Votes))
	}
}

func TestEngineUnreachable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		models      []engModel
		unreachable bool
		status      pb.JudgmentStatus
		failed      []string
	}{
		{
			name:        "the only model is unreachable",
			models:      []engModel{{name: "dead", dead: true}},
			unreachable: true,
		},
		{
			name:        "every model is unreachable",
			models:      []engModel{{name: "dead1", dead: true}, {name: "dead2", dead: true}},
			unreachable: true,
		},
		{
			name:   "one of two models is unreachable",
			models: []engModel{{name: "dead", dead: true}, {name: "good", behavior: engFollows}},
			status: engVerdict, failed: []string{"dead"},
		},
		{
			name:   "one unreachable, one failing: a judgment, not unavailable",
			models: []engModel{{name: "dead", dead: true}, {name: "bad", behavior: engDown}},
			status: engJudgeErr, failed: []string{"dead", "bad"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := engNew(t, tt.models...)
			var names []string
			for _, m := range tt.models {
				names = append(names, m.name)
			}
			resp, err := e.Judge(t.Context(), engItem(), engCfg(names...))
			if tt.unreachable {
				if !errors.Is(err, ErrUnreachable) || !clients.IsUnreachable(err) || resp != nil {
					t.Fatalf("Judge = %v, %v; want ErrUnreachable wrapping the call error", resp, err)
				}
				if !strings.Contains(err.Error(), "cannot reach") {
					t.Errorf("error %q does not say what was unreachable", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Judge: %v", err)
			}
			if resp.Status != tt.status || !slices.Equal(resp.FailedModels, tt.failed) {
				t.Errorf("status %v failed %v, want %v %v (%s)", resp.Status, resp.FailedModels, tt.status, tt.failed, resp.Reason)
			}
			if tt.status == engVerdict && resp.Verdict.GetChoice() != 1 {
				t.Errorf("verdict %v, want choice 1", resp.Verdict)
			}
		})
	}
}

// A caller that went away gets its context error, not a judgment.
func TestEngineCanceled(t *testing.T) {
	t.Parallel()
	e := engNew(t, engModel{name: "good", behavior: engFollows})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	resp, err := e.Judge(ctx, engItem(), engCfg("good"))
	if !errors.Is(err, context.Canceled) || resp != nil {
		t.Fatalf("Judge = %v, %v; want context.Canceled", resp, err)
	}
}

// A first-label judge disagrees with itself across orders: ABSTAIN,
// never a silent win, through the whole engine.
func TestEngineFirstLabelAbstains(t *testing.T) {
	t.Parallel()
	e := engNew(t, engModel{name: "biased", behavior: fakejudge.FirstLabel(95)})
	resp, err := e.Judge(t.Context(), engItem(), engCfg("biased"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != engAbstain || resp.Verdict != nil || resp.Consistency != 0.5 {
		t.Fatalf("status %v verdict %v consistency %v, want ABSTAIN at 0.5", resp.Status, resp.Verdict, resp.Consistency)
	}
}
