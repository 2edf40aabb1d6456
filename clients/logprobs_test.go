package clients

import (
	"math"
	"sync/atomic"
	"testing"

	"github.com/personajudge/personajudge/internal/llmfake"
)

// TestCompleteLogprobs: calls ask for token logprobs and return them; a 400
// naming logprobs is retried without the option, and the model stops
// asking; a backend that ignores the option returns no tokens.
func TestCompleteLogprobs(t *testing.T) {
	t.Parallel()
	const content = `{"choice":"B"}`
	tests := []struct {
		name       string
		rejects    bool // answers 400 to a call that asks for logprobs
		wantTokens bool
		wantCalls  int64 // of two completions
	}{
		{"returned", false, true, 2},
		{"rejected", true, false, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var asked, top atomic.Int64
			fake := llmfake.New(func(req *llmfake.Request, _ int64) llmfake.Reply {
				if req.Logprobs {
					asked.Add(1)
					top.Store(int64(req.TopLogprobs))
					if tt.rejects {
						return llmfake.Reply{Status: 400, ErrorMessage: "logprobs are not supported by this model"}
					}
				}
				return llmfake.Reply{Content: content, Tokens: llmfake.AnswerTokens(content, "choice", 0.25)}
			})
			t.Cleanup(fake.Close)
			m := newTestModel(t, fake.BaseURL(), nil)
			for range 2 {
				res, err := m.Complete(t.Context(), Request{Messages: []Message{{Role: "user", Content: "q"}}})
				if err != nil {
					t.Fatal(err)
				}
				if got := len(res.Tokens) > 0; got != tt.wantTokens {
					t.Fatalf("tokens returned %v, want %v", got, tt.wantTokens)
				}
				if tt.wantTokens {
					var joined string
					var p float64
					for _, tok := range res.Tokens {
						joined += tok.Token
						if tok.Token == "B" {
							p = math.Exp(tok.Logprob)
						}
					}
					if joined != content || math.Abs(p-0.25) > 1e-9 {
						t.Fatalf("tokens join to %q with P(B) %v", joined, p)
					}
				}
			}
			if fake.Calls() != tt.wantCalls || (tt.rejects && asked.Load() != 1) || top.Load() != topLogprobs {
				t.Errorf("calls %d (want %d), asked for logprobs %d times, top_logprobs %d", fake.Calls(), tt.wantCalls, asked.Load(), top.Load())
			}
		})
	}
}
