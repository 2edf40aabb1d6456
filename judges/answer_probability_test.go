package judges

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/chatwire"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

// toks builds content tokens, each certain unless given as {text, logprob}.
func toks(parts ...any) []clients.TokenLogprob {
	var out []clients.TokenLogprob
	for _, p := range parts {
		switch x := p.(type) {
		case string:
			out = append(out, clients.TokenLogprob{Token: x})
		case clients.TokenLogprob:
			out = append(out, x)
		}
	}
	return out
}

func TestAnswerProbability(t *testing.T) {
	t.Parallel()
	pref, adh, role := &Preference{}, &Adherence{}, &RoleIdentification{}
	lp := func(tok string, p float64, top ...clients.TopLogprob) clients.TokenLogprob {
		return clients.TokenLogprob{Token: tok, Logprob: math.Log(p), Top: top}
	}
	tests := []struct {
		name    string
		task    Task
		tokens  []clients.TokenLogprob
		want    float64
		ok, err bool
	}{
		{"choice letter", pref, toks(`{"`, "rationale", `":"`, "x", `","`, "choice", `":"`, lp("B", 0.8), `","`, "certainty", `":`, "70", "}"), 0.8, true, false},
		{"token carries the quote", pref, toks(`{"choice": `, lp(`"A`, 0.6), `", "certainty": 9}`), 0.6, true, false},
		{"alias key, upper case", pref, toks(`{"Answer":"`, lp("A", 0.3), `"}`), 0.3, true, false},
		{"rubric score", adh, toks(`{"rationale":"r","score":`, lp("4", 0.55), `,"certainty":80}`), 0.55, true, false},
		{"rationale mentions choice first", pref, toks(`{"rationale":"the choice is hard","choice":"`, lp("B", 0.9), `"}`), 0.9, true, false},
		{"no tokens", pref, nil, 0, false, false},
		{"role has no answer token", role, toks(`{"probabilities":{"A":`, lp("1", 0.5), `}}`), 0, false, false},
		{"no key (free text)", pref, toks("I pick ", lp("B", 0.5)), 0, false, false},
		{"NaN logprob", pref, toks(`{"choice":"`, clients.TokenLogprob{Token: "A", Logprob: math.NaN()}, `"}`), 0, false, true},
		{"positive logprob", pref, toks(`{"choice":"`, clients.TokenLogprob{Token: "A", Logprob: 0.1}, `"}`), 0, false, true},
		{"top list sums above 1", pref, toks(`{"choice":"`, lp("A", 0.7, clients.TopLogprob{Token: "A", Logprob: math.Log(0.7)}, clients.TopLogprob{Token: "B", Logprob: math.Log(0.4)}), `"}`), 0, false, true},
		{"top list sums to 1", pref, toks(`{"choice":"`, lp("A", 0.7, clients.TopLogprob{Token: "A", Logprob: math.Log(0.7)}, clients.TopLogprob{Token: "B", Logprob: math.Log(0.3)}), `"}`), 0.7, true, false},
	}
	for _, tt := range tests {
		p, ok, err := answerProbability(tt.task, tt.tokens)
		if ok != tt.ok || (err != nil) != tt.err || math.Abs(p-tt.want) > 1e-12 {
			t.Errorf("%s: p %v ok %v err %v, want %v %v err=%v", tt.name, p, ok, err, tt.want, tt.ok, tt.err)
		}
	}
}

// syncBuffer is a log sink the engine's goroutines may write to at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// withTokens makes a behaviour also send token logprobs giving its choice
// letter probability p (only when the call asks for logprobs).
func withTokens(b llmfake.Behavior, p float64) llmfake.Behavior {
	return func(req *llmfake.Request, n int64) llmfake.Reply {
		r := b(req, n)
		r.Tokens = llmfake.AnswerTokens(r.Content, "choice", p)
		return r
	}
}

// TestEngineAnswerProbability runs judgments through openai-go against the
// fake: a backend with logprobs, one that returns none, one that rejects
// the option, and one whose numbers are not probabilities.
func TestEngineAnswerProbability(t *testing.T) {
	t.Parallel()
	follows := fakejudge.ContentPreference("GOOD", 90)
	rejects := func(req *llmfake.Request, n int64) llmfake.Reply {
		if req.Logprobs {
			return llmfake.Reply{Status: 400, ErrorMessage: "logprobs is not supported with this model"}
		}
		return withTokens(follows, 0.9)(req, n)
	}
	badSum := func(req *llmfake.Request, n int64) llmfake.Reply {
		r := withTokens(follows, 0.9)(req, n)
		for i := range r.Tokens {
			r.Tokens[i].TopLogprobs = append(r.Tokens[i].TopLogprobs, chatwire.TopToken{Token: "?", Logprob: math.Log(0.5)})
		}
		return r
	}
	tests := []struct {
		name     string
		behavior llmfake.Behavior
		want     float64 // NaN: unset
		warn     bool
	}{
		{"logprobs", withTokens(follows, 0.8), 0.8, false},
		{"none returned", follows, math.NaN(), false},
		{"option rejected", rejects, math.NaN(), false},
		{"top logprobs sum above 1", badSum, math.NaN(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := llmfake.New(tt.behavior)
			t.Cleanup(fake.Close)
			retries := 0
			reg, err := clients.NewRegistry(clients.FileConfig{Models: []clients.ModelConfig{
				{Name: "m", BaseURL: fake.BaseURL(), MaxRetries: &retries, Timeout: "10s"}}})
			if err != nil {
				t.Fatal(err)
			}
			var logs syncBuffer
			e := NewEngine(reg, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			for i := range 2 {
				before := fake.Calls()
				j, err := e.Judge(t.Context(), engItem(), engCfg("m"))
				if err != nil || j.Status != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT {
					t.Fatalf("judge: %v %v", j, err)
				}
				for _, v := range j.Votes {
					got := math.NaN()
					if v.AnswerProbability != nil {
						got = *v.AnswerProbability
					}
					if !sameOrNaN(got, tt.want) {
						t.Errorf("vote answer probability %v, want %v", got, tt.want)
					}
				}
				if got := j.Sample().Logprob; !sameOrNaN(got, tt.want) {
					t.Errorf("Sample().Logprob %v, want %v", got, tt.want)
				}
				// Once rejected, the model no longer asks: the second
				// judgment makes one call per order.
				if calls := fake.Calls() - before; i == 1 && calls != 2 {
					t.Errorf("second judgment made %d calls, want 2", calls)
				}
			}
			if warned := strings.Contains(logs.String(), "answer_probability left unset"); warned != tt.warn {
				t.Errorf("warning logged %v, want %v; log:\n%s", warned, tt.warn, logs.String())
			}
		})
	}
}

func sameOrNaN(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) < 1e-9
}

// TestMeanAnswerProbability: the judgment's logprob feature is the mean
// over the votes that counted, skipping votes without one, invalid votes
// and excluded models.
func TestMeanAnswerProbability(t *testing.T) {
	t.Parallel()
	p := func(x float64) *float64 { return &x }
	ok := pb.ParseStatus_PARSE_STATUS_OK
	j := &Judgment{FailedModels: []string{"gone"}, Votes: []*pb.Vote{
		{Model: "m", ParseStatus: ok, AnswerProbability: p(0.9)},
		{Model: "m", ParseStatus: ok, AnswerProbability: p(0.5)},
		{Model: "m", ParseStatus: ok},
		{Model: "m", ParseStatus: pb.ParseStatus_PARSE_STATUS_FAILED, AnswerProbability: p(0.1)},
		{Model: "gone", ParseStatus: ok, AnswerProbability: p(0.1)},
	}}
	if got := j.meanAnswerProbability(); math.Abs(got-0.7) > 1e-12 {
		t.Errorf("mean %v, want 0.7", got)
	}
	if got := (&Judgment{}).meanAnswerProbability(); !math.IsNaN(got) {
		t.Errorf("no votes: %v, want NaN", got)
	}
}

// memCache is an in-memory response cache.
type memCache struct {
	mu sync.Mutex
	m  map[string]clients.CachedResponse
}

func (c *memCache) GetResponse(_ context.Context, key string) (clients.CachedResponse, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[key]
	return r, ok, nil
}

func (c *memCache) PutResponse(_ context.Context, key string, r clients.CachedResponse) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = r
	return nil
}

// TestCachedAnswerProbability: a vote answered from the cache keeps the
// answer probability of the call it repeats (token logprobs cannot be
// re-read from the content).
func TestCachedAnswerProbability(t *testing.T) {
	t.Parallel()
	fake := llmfake.New(withTokens(fakejudge.ContentPreference("GOOD", 90), 0.75))
	t.Cleanup(fake.Close)
	reg, err := clients.NewRegistry(clients.FileConfig{Models: []clients.ModelConfig{{Name: "m", BaseURL: fake.BaseURL()}}})
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine(reg, WithCache(&memCache{m: map[string]clients.CachedResponse{}}))
	for i := range 2 {
		j, err := e.Judge(t.Context(), engItem(), engCfg("m"))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range j.Votes {
			if v.CacheHit != (i == 1) || v.AnswerProbability == nil || math.Abs(*v.AnswerProbability-0.75) > 1e-9 {
				t.Errorf("judgment %d: cache hit %v, answer probability %v, want 0.75", i, v.CacheHit, v.AnswerProbability)
			}
		}
	}
	if fake.Calls() != 2 {
		t.Errorf("%d calls, want 2 (the second judgment is cached)", fake.Calls())
	}
}
