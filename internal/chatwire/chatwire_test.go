package chatwire

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRequestAccessors(t *testing.T) {
	t.Parallel()
	var r Request
	body := `{"model":"m","seed":3,"response_format":{"type":"json_schema"},"messages":[
		{"role":"developer","content":"S"},{"role":"user","content":"U"},
		{"role":"assistant","content":"A"},{"role":"user","content":"again"}]}`
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	if r.FormatType() != "json_schema" || r.System() != "S" || r.User() != "U" || r.Reasks() != 1 || *r.Seed != 3 {
		t.Fatalf("format %q system %q user %q reasks %d seed %d", r.FormatType(), r.System(), r.User(), r.Reasks(), *r.Seed)
	}
	if got := (&Request{}).FormatType(); got != "" {
		t.Errorf("no response_format: %q", got)
	}
	// 1/4+4 + 1/4+4 + 1/4+4 + 5/4+4
	if got := r.PromptTokens(); got != 17 {
		t.Errorf("prompt tokens %d, want 17", got)
	}
}

func TestCompletionJSON(t *testing.T) {
	t.Parallel()
	req := &Request{Model: "m", Messages: []Message{{Role: "user", Content: "12345678"}}}
	tests := []struct {
		name string
		a    Answer
		want map[string]any // fields of choices[0].message, finish_reason, usage
	}{
		{"content", Answer{Content: "abcd"}, map[string]any{
			"content": "abcd", "refusal": nil, "finish": "stop", "pt": 6.0, "ct": 2.0}},
		{"refusal, counts given", Answer{Refusal: "no", FinishReason: "length", PromptTokens: 10, CompletionTokens: 3}, map[string]any{
			"content": nil, "refusal": "no", "finish": "length", "pt": 10.0, "ct": 3.0}},
	}
	for _, tt := range tests {
		b, err := json.Marshal(NewCompletion("chatcmpl-x", req, tt.a))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			ID, Object, Model string
			Choices           []struct {
				Message      map[string]any `json:"message"`
				FinishReason string         `json:"finish_reason"`
			}
			Usage map[string]float64
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		c := doc.Choices[0]
		if doc.ID != "chatcmpl-x" || doc.Object != "chat.completion" || doc.Model != "m" || c.Message["role"] != "assistant" ||
			c.Message["content"] != tt.want["content"] || c.Message["refusal"] != tt.want["refusal"] || c.FinishReason != tt.want["finish"] ||
			doc.Usage["prompt_tokens"] != tt.want["pt"] || doc.Usage["completion_tokens"] != tt.want["ct"] ||
			doc.Usage["total_tokens"] != tt.want["pt"].(float64)+tt.want["ct"].(float64) {
			t.Errorf("%s: %s", tt.name, b)
		}
		if _, ok := c.Message["content"]; !ok {
			t.Errorf("%s: content must be present (null on refusal): %s", tt.name, b)
		}
	}
}

func TestWriteError(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	WriteError(w, http.StatusTooManyRequests, "test_error", "slow down")
	if w.Code != 429 || w.Header().Get("Content-Type") != "application/json" ||
		strings.TrimSpace(w.Body.String()) != `{"error":{"message":"slow down","type":"test_error","code":"429"}}` {
		t.Fatalf("%d %v %s", w.Code, w.Header(), w.Body)
	}
}

// TestCompletionLogprobs: token logprobs are sent only to a call that
// asked for them, as OpenAI does.
func TestCompletionLogprobs(t *testing.T) {
	t.Parallel()
	a := Answer{Content: "x", Tokens: []Token{{Token: "x", Logprob: -0.1}}}
	for _, asked := range []bool{false, true} {
		c := NewCompletion("id", &Request{Logprobs: asked}, a)
		if got := c.Choices[0].Logprobs != nil; got != asked {
			t.Errorf("asked %v: logprobs sent %v", asked, got)
		}
	}
}
