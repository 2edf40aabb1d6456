package clients

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"
)

// sdkParams builds the same request with openai-go's param types, as the
// client did before it encoded the body itself: the two must say the same
// JSON, field for field.
func sdkParams(m *Model, req Request, mode OutputMode, logprobs bool) openai.ChatCompletionNewParams {
	var msgs []openai.ChatCompletionMessageParamUnion
	for _, msg := range req.Messages {
		switch msg.Role {
		case "system":
			msgs = append(msgs, openai.SystemMessage(msg.Content))
		case "assistant":
			msgs = append(msgs, openai.AssistantMessage(msg.Content))
		default:
			msgs = append(msgs, openai.UserMessage(msg.Content))
		}
	}
	p := openai.ChatCompletionNewParams{
		Model:       m.cfg.Model,
		Messages:    msgs,
		Temperature: openai.Float(req.Temperature),
		MaxTokens:   openai.Int(int64(m.cfg.MaxTokens)),
	}
	if req.Seed != nil {
		p.Seed = openai.Int(*req.Seed)
	}
	if logprobs {
		p.Logprobs = openai.Bool(true)
		p.TopLogprobs = openai.Int(topLogprobs)
	}
	switch {
	case mode == OutputSchema && req.Schema != nil:
		p.ResponseFormat.OfJSONSchema = &shared.ResponseFormatJSONSchemaParam{JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{
			Name: req.Schema.Name, Schema: req.Schema.Schema, Strict: openai.Bool(true),
		}}
	case mode == OutputSchema || mode == OutputJSONObject:
		p.ResponseFormat.OfJSONObject = &shared.ResponseFormatJSONObjectParam{}
	}
	return p
}

func TestRequestBodyMatchesSDK(t *testing.T) {
	t.Parallel()
	m := newTestModel(t, "http://127.0.0.1:1/v1", func(c *ModelConfig) { c.Model = "backend-id"; c.MaxTokens = 321 })
	seed := int64(7)
	full := Request{
		Messages: []Message{
			{Role: "system", Content: "judge <b>&</b> \"quotes\" \u2028"},
			{Role: "user", Content: "item"}, {Role: "assistant", Content: "A"}, {Role: "tool?", Content: "odd role"},
		},
		Schema: &Schema{Name: "preference_judgment", Schema: map[string]any{
			"type": "object", "required": []any{"choice"},
			"properties": map[string]any{"choice": map[string]any{"type": "string", "enum": []any{"A", "B"}}},
		}},
		Temperature: 0.3,
		Seed:        &seed,
	}
	noSchema := full
	noSchema.Schema, noSchema.Seed, noSchema.Temperature = nil, nil, 0
	tests := []struct {
		name     string
		req      Request
		mode     OutputMode
		logprobs bool
	}{
		{"schema", full, OutputSchema, false},
		{"schema with logprobs", full, OutputSchema, true},
		{"schema mode without schema", noSchema, OutputSchema, false},
		{"json object", full, OutputJSONObject, true},
		{"text", full, OutputText, false},
		{"text, no seed, zero temperature", noSchema, OutputText, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body, err := m.requestBody(tt.req, tt.mode, tt.logprobs)
			if err != nil {
				t.Fatal(err)
			}
			sdk, err := json.Marshal(sdkParams(m, tt.req, tt.mode, tt.logprobs))
			if err != nil {
				t.Fatal(err)
			}
			var got, want any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("body %s: %v", body, err)
			}
			if err := json.Unmarshal(sdk, &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("body\n %s\nopenai-go\n %s", body, sdk)
			}
		})
	}
}

// BenchmarkRequestBody is the cost of encoding one request body.
//
//	go test -run '^$' -bench RequestBody -benchmem ./clients/
func BenchmarkRequestBody(b *testing.B) {
	m := &Model{cfg: ModelConfig{Model: "m", MaxTokens: 512}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.requestBody(testReq, OutputSchema, true); err != nil {
			b.Fatal(err)
		}
	}
}
