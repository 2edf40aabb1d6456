package clients

import (
	"testing"

	"github.com/personajudge/personajudge/internal/llmfake"
)

// BenchmarkComplete is the client's own cost of one chat call (request
// building, the openai-go call, JSON, span and metrics) against a
// zero-latency in-process backend; the backend's cost is in the figure too,
// so compare allocs/op and ns/op before and after a change:
//
//	go test -run '^$' -bench Complete -benchmem -cpuprofile /tmp/cpu.prof ./clients/
//	go tool pprof -top -cum /tmp/cpu.prof | head -40
func BenchmarkComplete(b *testing.B) {
	fake := llmfake.New(func(*llmfake.Request, int64) llmfake.Reply {
		return llmfake.Reply{Content: `{"rationale":"short","choice":"A","certainty":80}`}
	})
	defer fake.Close()
	reg, err := NewRegistry(FileConfig{Models: []ModelConfig{{Name: "m", BaseURL: fake.BaseURL(), MaxConcurrency: 64}}})
	if err != nil {
		b.Fatal(err)
	}
	m, _ := reg.Get("m")
	req := Request{
		Messages: []Message{
			{Role: "system", Content: "You judge which response this persona would prefer. Answer with JSON."},
			{Role: "user", Content: "Persona: a frugal student.\nA: take the bus\nB: hire a limousine"},
		},
		Schema: &Schema{Name: "preference", Schema: map[string]any{
			"type": "object", "additionalProperties": false, "required": []any{"rationale", "choice", "certainty"},
			"properties": map[string]any{
				"rationale": map[string]any{"type": "string"},
				"choice":    map[string]any{"type": "string", "enum": []any{"A", "B"}},
				"certainty": map[string]any{"type": "integer"},
			},
		}},
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := m.Complete(b.Context(), req); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
