package clients

import (
	"bytes"
	"encoding/json"
	"sync"
)

// The chat request body is encoded here with encoding/json rather than by
// openai-go's param types: their reflection-driven marshalling (a union
// wrapper per message and per response_format) was the largest single cost
// of a judgment in serve's CPU profile. The wire form is the same
// OpenAI-compatible JSON; openai-go still makes the call, retries it
// (the body is replayable) and decodes the answer.

type chatBody struct {
	Model          string          `json:"model"`
	Messages       []chatMessage   `json:"messages"`
	Temperature    float64         `json:"temperature"`
	MaxTokens      int64           `json:"max_tokens"`
	Seed           *int64          `json:"seed,omitempty"`
	ResponseFormat *responseFormat `json:"response_format,omitempty"`
	Logprobs       bool            `json:"logprobs,omitempty"`
	TopLogprobs    int64           `json:"top_logprobs,omitempty"`
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type responseFormat struct {
	Type       string      `json:"type"`
	JSONSchema *jsonSchema `json:"json_schema,omitempty"`
}

type jsonSchema struct {
	Name   string          `json:"name"`
	Schema json.RawMessage `json:"schema"`
	Strict bool            `json:"strict"`
}

var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// requestBody is the JSON of one chat completion request in the given
// output mode, asking for token logprobs when logprobs is set. It returns a
// fresh slice: openai-go keeps it for retries.
func (m *Model) requestBody(req Request, mode OutputMode, logprobs bool) ([]byte, error) {
	b := chatBody{
		Model:       m.cfg.Model,
		Messages:    make([]chatMessage, len(req.Messages)),
		Temperature: req.Temperature,
		MaxTokens:   int64(m.cfg.MaxTokens),
		Seed:        req.Seed,
	}
	if logprobs {
		b.Logprobs, b.TopLogprobs = true, topLogprobs
	}
	for i, msg := range req.Messages {
		role := msg.Role
		if role != "system" && role != "assistant" {
			role = "user"
		}
		b.Messages[i] = chatMessage{Role: role, Content: msg.Content}
	}
	switch {
	case mode == OutputSchema && req.Schema != nil:
		schema, err := req.Schema.encodedJSON()
		if err != nil {
			return nil, err
		}
		b.ResponseFormat = &responseFormat{Type: "json_schema", JSONSchema: &jsonSchema{Name: req.Schema.Name, Schema: schema, Strict: true}}
	case mode == OutputSchema || mode == OutputJSONObject:
		b.ResponseFormat = &responseFormat{Type: "json_object"}
	}
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer bodyBuffers.Put(buf)
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&b); err != nil {
		return nil, err
	}
	return bytes.Clone(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}
