// Package chatwire holds the JSON shapes of OpenAI-compatible
// chat-completions calls as a server sees them: the decoded request, the
// chat.completion answer and the error body. The in-process test fake
// (internal/llmfake) and the judge simulator (internal/sim) both speak
// through it, so the simulator needs no test code.
package chatwire

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Message is one chat message of a request.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Request is the decoded body of a chat-completions call.
type Request struct {
	Model       string    `json:"model"`
	Messages    []Message `json:"messages"`
	Temperature *float64  `json:"temperature"`
	Seed        *int64    `json:"seed"`
	// Logprobs and TopLogprobs are the token log-probabilities asked for.
	Logprobs       bool `json:"logprobs"`
	TopLogprobs    int  `json:"top_logprobs"`
	ResponseFormat *struct {
		Type string `json:"type"`
	} `json:"response_format"`
	// Header is the HTTP header of the call, for those who set it.
	Header http.Header `json:"-"`
}

// FormatType is the response_format type asked for: "json_schema",
// "json_object", or "" when none was asked.
func (r *Request) FormatType() string {
	if r.ResponseFormat == nil {
		return ""
	}
	return r.ResponseFormat.Type
}

// System is the content of the first system message.
func (r *Request) System() string {
	for _, m := range r.Messages {
		if m.Role == "system" || m.Role == "developer" {
			return m.Content
		}
	}
	return ""
}

// User is the content of the first user message: the item under judgment.
func (r *Request) User() string {
	for _, m := range r.Messages {
		if m.Role == "user" {
			return m.Content
		}
	}
	return ""
}

// Reasks counts the assistant turns already in the conversation, which is
// how many times the caller re-asked after unreadable output.
func (r *Request) Reasks() int {
	n := 0
	for _, m := range r.Messages {
		if m.Role == "assistant" {
			n++
		}
	}
	return n
}

// PromptTokens estimates the prompt's tokens from the text lengths (about
// four bytes a token, plus a few per message), as no tokenizer is at hand.
func (r *Request) PromptTokens() int {
	n := 0
	for _, m := range r.Messages {
		n += len(m.Content)/4 + 4
	}
	return n
}

// CompletionTokens estimates the tokens of an answer's content, as
// PromptTokens does.
func CompletionTokens(content string) int { return len(content)/4 + 1 }

// Completion is a chat.completion object.
type Completion struct {
	ID      string   `json:"id"`
	Object  string   `json:"object"`
	Created int64    `json:"created"`
	Model   string   `json:"model"`
	Choices []Choice `json:"choices"`
	Usage   Usage    `json:"usage"`
}

// Choice is one answer of a completion.
type Choice struct {
	Index        int            `json:"index"`
	Message      AnswerMessage  `json:"message"`
	FinishReason string         `json:"finish_reason"`
	Logprobs     *ChoiceLogprob `json:"logprobs,omitempty"`
}

// ChoiceLogprob is the token log-probabilities of a choice's content.
type ChoiceLogprob struct {
	Content []Token `json:"content"`
}

// Token is one generated token with its log-probability and the most
// likely alternatives at its position.
type Token struct {
	Token       string     `json:"token"`
	Logprob     float64    `json:"logprob"`
	TopLogprobs []TopToken `json:"top_logprobs"`
}

// TopToken is one alternative at a token's position.
type TopToken struct {
	Token   string  `json:"token"`
	Logprob float64 `json:"logprob"`
}

// AnswerMessage is the assistant message of a choice. Content is null when
// the model refused (Refusal set instead).
type AnswerMessage struct {
	Role    string  `json:"role"`
	Content *string `json:"content"`
	Refusal string  `json:"refusal,omitempty"`
}

// Usage is the token count of a call.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// Answer is what a server decided to answer to one call.
type Answer struct {
	// Content is the assistant message content.
	Content string
	// Refusal, when set, is sent instead of content.
	Refusal string
	// FinishReason defaults to "stop"; "length" means truncated.
	FinishReason string
	// PromptTokens and CompletionTokens are reported as usage; zero means
	// the estimates of Request.PromptTokens and CompletionTokens.
	PromptTokens, CompletionTokens int
	// Tokens, when set and the request asked for logprobs, are sent as the
	// content's token log-probabilities.
	Tokens []Token
}

// NewCompletion is the chat.completion object with one choice, a for req,
// under the given id, created now.
func NewCompletion(id string, req *Request, a Answer) Completion {
	finish := a.FinishReason
	if finish == "" {
		finish = "stop"
	}
	msg := AnswerMessage{Role: "assistant", Content: &a.Content}
	if a.Refusal != "" {
		msg.Content, msg.Refusal = nil, a.Refusal
	}
	pt, ct := a.PromptTokens, a.CompletionTokens
	if pt == 0 {
		pt = req.PromptTokens()
	}
	if ct == 0 {
		ct = CompletionTokens(a.Content)
	}
	choice := Choice{Index: 0, Message: msg, FinishReason: finish}
	if req.Logprobs && len(a.Tokens) > 0 {
		choice.Logprobs = &ChoiceLogprob{Content: a.Tokens}
	}
	return Completion{
		ID:      id,
		Object:  "chat.completion",
		Created: time.Now().Unix(),
		Model:   req.Model,
		Choices: []Choice{choice},
		Usage:   Usage{PromptTokens: pt, CompletionTokens: ct, TotalTokens: pt + ct},
	}
}

// WriteCompletion sends c as a 200 JSON answer.
func WriteCompletion(w http.ResponseWriter, c Completion) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(c)
}

// ErrorBody is the JSON of a non-200 answer.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail describes an error: the message, a type, and the HTTP status
// as a string code.
type ErrorDetail struct {
	Message string `json:"message"`
	Type    string `json:"type"`
	Code    string `json:"code"`
}

// WriteError sends an error answer with the given status, error type and
// message.
func WriteError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(ErrorBody{Error: ErrorDetail{Message: msg, Type: typ, Code: strconv.Itoa(status)}})
}
