// Package llmfake is an in-process OpenAI-compatible chat-completions server
// for tests and benchmarks. It speaks the real wire format, so the code under
// test uses the real openai-go client end to end; a Behavior decides what
// each call answers (content, HTTP errors, delays, refusals, truncation).
package llmfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Message is one chat message of a request.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Request is the decoded body of a chat-completions call.
type Request struct {
	Model          string    `json:"model"`
	Messages       []Message `json:"messages"`
	Temperature    *float64  `json:"temperature"`
	Seed           *int64    `json:"seed"`
	ResponseFormat *struct {
		Type string `json:"type"`
	} `json:"response_format"`
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

// Reply is what the fake answers to one call.
type Reply struct {
	// Status is the HTTP status; 0 means 200.
	Status int
	// Content is the assistant message content of a 200 answer.
	Content string
	// Refusal is set instead of content to simulate a structured-output
	// refusal.
	Refusal string
	// FinishReason defaults to "stop"; "length" simulates truncation.
	FinishReason string
	// Header is added to the HTTP answer (for example Retry-After).
	Header map[string]string
	// Delay is slept before answering, cut short if the caller goes away.
	Delay time.Duration
	// ErrorMessage is the error message of a non-200 answer.
	ErrorMessage string
	// RawBody, when set, is sent verbatim instead of a JSON completion.
	RawBody string
	// PromptTokens and CompletionTokens are reported as usage; zero means
	// an estimate from the text lengths.
	PromptTokens, CompletionTokens int
}

// Behavior decides the reply to a call. n counts calls from 1.
type Behavior func(req *Request, n int64) Reply

// Server is a running fake.
type Server struct {
	*httptest.Server
	behavior Behavior
	calls    atomic.Int64
}

// New starts a fake on loopback. Close it when done.
func New(b Behavior) *Server {
	s := &Server{behavior: b}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// BaseURL is the value to configure as the OpenAI base URL.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Calls is the number of chat-completions calls received.
func (s *Server) Calls() int64 { return s.calls.Load() }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, "/chat/completions") || r.Method != http.MethodPost {
		http.Error(w, `{"error":{"message":"not found","type":"invalid_request_error"}}`, http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var req Request
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return
	}
	req.Header = r.Header
	n := s.calls.Add(1)
	rep := s.behavior(&req, n)
	if rep.Delay > 0 {
		t := time.NewTimer(rep.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	for k, v := range rep.Header {
		w.Header().Set(k, v)
	}
	if rep.Status != 0 && rep.Status != http.StatusOK {
		msg := rep.ErrorMessage
		if msg == "" {
			msg = fmt.Sprintf("fake error %d", rep.Status)
		}
		writeError(w, rep.Status, msg)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if rep.RawBody != "" {
		io.WriteString(w, rep.RawBody)
		return
	}
	json.NewEncoder(w).Encode(completion(&req, rep))
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"message": msg, "type": "fake_error", "code": strconv.Itoa(status),
	}})
}

func completion(req *Request, rep Reply) map[string]any {
	finish := rep.FinishReason
	if finish == "" {
		finish = "stop"
	}
	msg := map[string]any{"role": "assistant", "content": rep.Content}
	if rep.Refusal != "" {
		msg["content"] = nil
		msg["refusal"] = rep.Refusal
	}
	pt, ct := rep.PromptTokens, rep.CompletionTokens
	if pt == 0 {
		for _, m := range req.Messages {
			pt += len(m.Content)/4 + 4
		}
	}
	if ct == 0 {
		ct = len(rep.Content)/4 + 1
	}
	return map[string]any{
		"id":      "chatcmpl-fake",
		"object":  "chat.completion",
		"created": time.Now().Unix(),
		"model":   req.Model,
		"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish}},
		"usage":   map[string]any{"prompt_tokens": pt, "completion_tokens": ct, "total_tokens": pt + ct},
	}
}
