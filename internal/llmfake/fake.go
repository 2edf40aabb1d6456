// Package llmfake is an in-process OpenAI-compatible chat-completions server
// for tests and benchmarks. It speaks the real wire format, so the code under
// test uses the real openai-go client end to end; a Behavior decides what
// each call answers (content, HTTP errors, delays, refusals, truncation).
package llmfake

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/personajudge/personajudge/internal/chatwire"
)

// Message is one chat message of a request.
type Message = chatwire.Message

// Request is the decoded body of a chat-completions call, with its HTTP
// header.
type Request = chatwire.Request

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
	// Tokens are the content's token log-probabilities, sent only when the
	// call asked for logprobs (see AnswerTokens); nil sends none, as a
	// backend without the feature does.
	Tokens []chatwire.Token
}

// Behavior decides the reply to a call. n counts calls from 1.
type Behavior func(req *Request, n int64) Reply

// Server is a running fake.
type Server struct {
	*httptest.Server
	behavior Behavior
	calls    atomic.Int64

	// arrived is closed (and replaced) whenever a call arrives, so a test
	// can wait for calls without sleeping (WaitCalls).
	mu      sync.Mutex
	arrived chan struct{}
}

// New starts a fake on loopback. Close it when done.
func New(b Behavior) *Server {
	s := &Server{behavior: b, arrived: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// BaseURL is the value to configure as the OpenAI base URL.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Calls is the number of chat-completions calls received.
func (s *Server) Calls() int64 { return s.calls.Load() }

// WaitCalls blocks until at least n calls have arrived, and reports false
// if ctx ends first.
func (s *Server) WaitCalls(ctx context.Context, n int64) bool {
	for {
		s.mu.Lock()
		ch := s.arrived
		s.mu.Unlock()
		if s.calls.Load() >= n {
			return true
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return false
		}
	}
}

// signalArrival wakes every WaitCalls.
func (s *Server) signalArrival() {
	s.mu.Lock()
	close(s.arrived)
	s.arrived = make(chan struct{})
	s.mu.Unlock()
}

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
	s.signalArrival()
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
	if rep.RawBody != "" {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, rep.RawBody)
		return
	}
	chatwire.WriteCompletion(w, chatwire.NewCompletion("chatcmpl-fake", &req, chatwire.Answer{
		Content: rep.Content, Refusal: rep.Refusal, FinishReason: rep.FinishReason,
		PromptTokens: rep.PromptTokens, CompletionTokens: rep.CompletionTokens, Tokens: rep.Tokens,
	}))
}

func writeError(w http.ResponseWriter, status int, msg string) {
	chatwire.WriteError(w, status, "fake_error", msg)
}
