package clients

import (
	"context"
	"errors"
	"fmt"
	"github.com/personajudge/personajudge/internal/testwait"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/personajudge/personajudge/internal/llmfake"
)

// newTestModel is a model over base with no retries unless mod says so.
func newTestModel(t *testing.T, base string, mod func(*ModelConfig)) *Model {
	t.Helper()
	cfg := ModelConfig{Name: "judge", BaseURL: base, MaxRetries: intp(0), Timeout: "30s"}
	if mod != nil {
		mod(&cfg)
	}
	m, err := newModel(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func newFake(t *testing.T, b llmfake.Behavior) *llmfake.Server {
	t.Helper()
	f := llmfake.New(b)
	t.Cleanup(f.Close)
	return f
}

// closedURL is a base URL where nothing listens.
func closedURL() string {
	f := llmfake.New(func(*llmfake.Request, int64) llmfake.Reply { return llmfake.Reply{} })
	u := f.BaseURL()
	f.Close()
	return u
}

var testReq = Request{
	Messages: []Message{{Role: "system", Content: "judge"}, {Role: "user", Content: "item"}},
	Schema:   &Schema{Name: "s", Schema: map[string]any{"type": "object"}},
}

func asCallError(t *testing.T, err error) *CallError {
	t.Helper()
	var ce *CallError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *CallError", err, err)
	}
	return ce
}

func reply(r llmfake.Reply) llmfake.Behavior {
	return func(*llmfake.Request, int64) llmfake.Reply { return r }
}

// Every failure is classified through a real call over the wire.
func TestCompleteClassifiesFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		behavior llmfake.Behavior // nil: nothing listens at the base URL
		mod      func(*ModelConfig)
		ctx      func(t *testing.T) (context.Context, context.CancelFunc)
		kind     FaultKind
		status   int
		attempts int64
		msg      string // substring of Error()
	}{
		{name: "429", behavior: reply(llmfake.Reply{Status: 429, ErrorMessage: "slow down"}), kind: FaultRateLimited, status: 429, attempts: 1, msg: "rate limited (HTTP 429) after 1 attempt: slow down"},
		{name: "500", behavior: reply(llmfake.Reply{Status: 500}), kind: FaultServer, status: 500, attempts: 1, msg: "server error (HTTP 500)"},
		{name: "503", behavior: reply(llmfake.Reply{Status: 503}), kind: FaultServer, status: 503, attempts: 1},
		{name: "400", behavior: reply(llmfake.Reply{Status: 400, ErrorMessage: "context length exceeded"}), kind: FaultRejected, status: 400, attempts: 1, msg: "rejected (HTTP 400): context length exceeded"},
		{name: "401", behavior: reply(llmfake.Reply{Status: 401, ErrorMessage: "invalid key"}), kind: FaultRejected, status: 401, attempts: 1},
		{name: "404 unknown model", behavior: reply(llmfake.Reply{Status: 404, ErrorMessage: "model not found"}), kind: FaultRejected, status: 404, attempts: 1, msg: "model not found"},
		{name: "408", behavior: reply(llmfake.Reply{Status: 408}), kind: FaultTimeout, status: 408, attempts: 1, msg: "timed out"},
		{name: "500 retried", behavior: reply(llmfake.Reply{Status: 500, Header: map[string]string{"Retry-After-Ms": "1"}}), mod: func(c *ModelConfig) { c.MaxRetries = intp(2) }, kind: FaultServer, status: 500, attempts: 3},
		{name: "unreadable body", behavior: reply(llmfake.Reply{RawBody: "this is not JSON"}), kind: FaultOther, attempts: 1},
		{name: "connection refused", kind: FaultUnreachable, attempts: 1, msg: "cannot reach"},
		{
			name:     "context deadline",
			behavior: reply(llmfake.Reply{Delay: time.Minute}),
			ctx: func(t *testing.T) (context.Context, context.CancelFunc) {
				return context.WithTimeout(t.Context(), 50*time.Millisecond)
			},
			kind: FaultTimeout, attempts: 1, msg: "timed out",
		},
		{
			name:     "per-attempt timeout",
			behavior: reply(llmfake.Reply{Delay: time.Minute}),
			mod:      func(c *ModelConfig) { c.Timeout = "50ms" },
			kind:     FaultTimeout, attempts: 1, msg: "timed out",
		},
		{
			name: "already canceled",
			behavior: func(*llmfake.Request, int64) llmfake.Reply {
				panic("a canceled call must not reach the backend")
			},
			ctx: func(t *testing.T) (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(t.Context())
				cancel()
				return ctx, cancel
			},
			kind: FaultCanceled, attempts: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := closedURL()
			if tt.behavior != nil {
				base = newFake(t, tt.behavior).BaseURL()
			}
			m := newTestModel(t, base, tt.mod)
			ctx, cancel := t.Context(), context.CancelFunc(func() {})
			if tt.ctx != nil {
				ctx, cancel = tt.ctx(t)
			}
			defer cancel()
			res, err := m.Complete(ctx, testReq)
			if err == nil {
				t.Fatalf("Complete = %+v, want an error", res)
			}
			ce := asCallError(t, err)
			if ce.Kind != tt.kind || ce.Status != tt.status || ce.Attempts != tt.attempts {
				t.Errorf("kind %v status %d attempts %d, want %v %d %d (%v)", ce.Kind, ce.Status, ce.Attempts, tt.kind, tt.status, tt.attempts, err)
			}
			if ce.Model != "judge" || ce.BaseURL != base {
				t.Errorf("model %q base %q", ce.Model, ce.BaseURL)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Error() = %q, want it to contain %q", err, tt.msg)
			}
			if IsUnreachable(err) != (tt.kind == FaultUnreachable) {
				t.Errorf("IsUnreachable = %v for kind %v", IsUnreachable(err), tt.kind)
			}
		})
	}
}

// A call canceled while in flight is FaultCanceled; cancellation is driven
// by the backend having received the call, not by timing.
func TestCompleteCanceledInFlight(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	var once sync.Once
	f := newFake(t, func(*llmfake.Request, int64) llmfake.Reply {
		once.Do(func() { close(started) })
		return llmfake.Reply{Delay: time.Minute}
	})
	m := newTestModel(t, f.BaseURL(), nil)
	ctx, cancel := context.WithCancel(t.Context())
	go func() { <-started; cancel() }()
	_, err := m.Complete(ctx, testReq)
	if ce := asCallError(t, err); ce.Kind != FaultCanceled || ce.Attempts != 1 || !errors.Is(err, context.Canceled) {
		t.Fatalf("kind %v attempts %d err %v, want canceled after 1 attempt", ce.Kind, ce.Attempts, err)
	}
}

// A call waiting for a concurrency slot is canceled without an attempt.
func TestCompleteCanceledWhileQueued(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	release := make(chan struct{})
	f := newFake(t, func(*llmfake.Request, int64) llmfake.Reply {
		close(started)
		<-release
		return llmfake.Reply{Content: "{}"}
	})
	m := newTestModel(t, f.BaseURL(), func(c *ModelConfig) { c.MaxConcurrency = 1 })
	done := make(chan error, 1)
	go func() { _, err := m.Complete(t.Context(), testReq); done <- err }()
	<-started // the only slot is taken

	ctx, cancel := context.WithCancel(t.Context())
	queued := make(chan error, 1)
	go func() { _, err := m.Complete(ctx, testReq); queued <- err }()
	cancel()
	err := <-queued
	if ce := asCallError(t, err); ce.Kind != FaultCanceled || ce.Attempts != 0 {
		t.Errorf("queued call: kind %v attempts %d, want canceled with no attempt", ce.Kind, ce.Attempts)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("first call: %v", err)
	}
	if f.Calls() != 1 {
		t.Errorf("backend saw %d calls, want 1", f.Calls())
	}
}

func TestCompleteRequestAndResponse(t *testing.T) {
	t.Parallel()
	var seen atomic.Pointer[llmfake.Request]
	f := newFake(t, func(req *llmfake.Request, _ int64) llmfake.Reply {
		seen.Store(req)
		return llmfake.Reply{Content: `{"choice":"A"}`, FinishReason: "length", PromptTokens: 11, CompletionTokens: 7}
	})
	m := newTestModel(t, f.BaseURL(), func(c *ModelConfig) { c.Model = "backend-id" })
	seed := int64(3)
	req := Request{
		Messages:    []Message{{Role: "system", Content: "S"}, {Role: "user", Content: "U"}, {Role: "assistant", Content: "A"}, {Role: "user", Content: "again"}},
		Schema:      testReq.Schema,
		Temperature: 0.7,
		Seed:        &seed,
	}
	res, err := m.Complete(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	want := Response{Content: `{"choice":"A"}`, FinishReason: "length", PromptTokens: 11, CompletionTokens: 7, Attempts: 1, Mode: OutputSchema}
	res.Latency, res.QueueWait = 0, 0
	if !reflect.DeepEqual(*res, want) {
		t.Errorf("response = %+v, want %+v", *res, want)
	}
	got := seen.Load()
	wantMsgs := []llmfake.Message{{Role: "system", Content: "S"}, {Role: "user", Content: "U"}, {Role: "assistant", Content: "A"}, {Role: "user", Content: "again"}}
	if got.Model != "backend-id" || !reflect.DeepEqual(got.Messages, wantMsgs) {
		t.Errorf("backend saw model %q messages %+v", got.Model, got.Messages)
	}
	if got.Temperature == nil || *got.Temperature != 0.7 || got.Seed == nil || *got.Seed != 3 {
		t.Errorf("backend saw temperature %v seed %v", got.Temperature, got.Seed)
	}
	if got.FormatType() != "json_schema" {
		t.Errorf("backend saw response_format %q, want json_schema", got.FormatType())
	}
}

func TestCompleteRefusal(t *testing.T) {
	t.Parallel()
	f := newFake(t, reply(llmfake.Reply{Refusal: "I can't judge this."}))
	m := newTestModel(t, f.BaseURL(), nil)
	res, err := m.Complete(t.Context(), testReq)
	if err != nil {
		t.Fatal(err)
	}
	if res.Refusal != "I can't judge this." || res.Content != "" {
		t.Errorf("refusal %q content %q", res.Refusal, res.Content)
	}
}

// The response_format sent follows the configured rung and the schema.
func TestCompleteResponseFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		output string
		schema *Schema
		want   string
	}{
		{"schema by default", "", testReq.Schema, "json_schema"},
		{"no schema: json object", "", nil, "json_object"},
		{"forced json_object", "json_object", testReq.Schema, "json_object"},
		{"forced text", "text", testReq.Schema, ""},
		{"forced json_schema without schema", "json_schema", nil, "json_object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var format atomic.Value
			f := newFake(t, func(req *llmfake.Request, _ int64) llmfake.Reply {
				format.Store(req.FormatType())
				return llmfake.Reply{Content: "{}"}
			})
			m := newTestModel(t, f.BaseURL(), func(c *ModelConfig) { c.Output = tt.output })
			req := testReq
			req.Schema = tt.schema
			if _, err := m.Complete(t.Context(), req); err != nil {
				t.Fatal(err)
			}
			if got := format.Load(); got != tt.want {
				t.Errorf("response_format = %q, want %q", got, tt.want)
			}
		})
	}
}

// A backend that refuses a response_format moves the model down the ladder:
// json_schema, then json_object, then text.
func TestCompleteOutputLadder(t *testing.T) {
	t.Parallel()
	refuse := func(formats ...string) llmfake.Behavior {
		return func(req *llmfake.Request, _ int64) llmfake.Reply {
			for _, f := range formats {
				if req.FormatType() == f {
					return llmfake.Reply{Status: 400, ErrorMessage: "response_format of type " + f + " is not supported by this model"}
				}
			}
			return llmfake.Reply{Content: `{"ok":true}`}
		}
	}
	tests := []struct {
		name     string
		behavior llmfake.Behavior
		start    string
		seen     []string // formats the backend saw over two calls
		mode     OutputMode
		attempts int64 // of the first call
		wantErr  bool
	}{
		{
			name:     "json_schema supported",
			behavior: refuse(),
			seen:     []string{"json_schema", "json_schema"},
			mode:     OutputSchema, attempts: 1,
		},
		{
			name:     "json_schema refused",
			behavior: refuse("json_schema"),
			seen:     []string{"json_schema", "json_object", "json_object"},
			mode:     OutputJSONObject, attempts: 2,
		},
		{
			name:     "json_schema and json_object refused",
			behavior: refuse("json_schema", "json_object"),
			seen:     []string{"json_schema", "json_object", "", ""},
			mode:     OutputText, attempts: 3,
		},
		{
			name:     "starting at json_object",
			behavior: refuse("json_object"),
			start:    "json_object",
			seen:     []string{"json_object", "", ""},
			mode:     OutputText, attempts: 2,
		},
		{
			name: "refusal that mentions the schema param",
			behavior: func(req *llmfake.Request, _ int64) llmfake.Reply {
				if req.FormatType() == "json_schema" {
					return llmfake.Reply{Status: 400, ErrorMessage: "Invalid schema for function: strict mode unsupported"}
				}
				return llmfake.Reply{Content: "{}"}
			},
			seen: []string{"json_schema", "json_object", "json_object"},
			mode: OutputJSONObject, attempts: 2,
		},
		{
			name:     "other 400s do not step down",
			behavior: reply(llmfake.Reply{Status: 400, ErrorMessage: "maximum context length exceeded"}),
			seen:     []string{"json_schema", "json_schema"},
			mode:     OutputSchema, attempts: 1, wantErr: true,
		},
		{
			name:     "a 422 mentioning response_format does not step down",
			behavior: reply(llmfake.Reply{Status: 422, ErrorMessage: "response_format rejected"}),
			seen:     []string{"json_schema", "json_schema"},
			mode:     OutputSchema, attempts: 1, wantErr: true,
		},
		{
			name:     "refused at every rung",
			behavior: reply(llmfake.Reply{Status: 400, ErrorMessage: "response_format not supported"}),
			seen:     []string{"json_schema", "json_object", "", ""},
			mode:     OutputText, attempts: 3, wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var seen []string
			f := newFake(t, func(req *llmfake.Request, n int64) llmfake.Reply {
				mu.Lock()
				seen = append(seen, req.FormatType())
				mu.Unlock()
				return tt.behavior(req, n)
			})
			m := newTestModel(t, f.BaseURL(), func(c *ModelConfig) { c.Output = tt.start })
			res, err := m.Complete(t.Context(), testReq)
			if tt.wantErr {
				ce := asCallError(t, err)
				if ce.Kind != FaultRejected || ce.Attempts != tt.attempts {
					t.Errorf("first call: kind %v attempts %d, want rejected after %d", ce.Kind, ce.Attempts, tt.attempts)
				}
			} else {
				if err != nil {
					t.Fatalf("first call: %v", err)
				}
				if res.Mode != tt.mode || res.Attempts != tt.attempts {
					t.Errorf("first call: mode %q attempts %d, want %q %d", res.Mode, res.Attempts, tt.mode, tt.attempts)
				}
			}
			if m.Mode() != tt.mode {
				t.Errorf("Mode() = %q, want %q", m.Mode(), tt.mode)
			}
			// The model remembers its rung: the next call starts there.
			res, err = m.Complete(t.Context(), testReq)
			if !tt.wantErr && (err != nil || res.Mode != tt.mode || res.Attempts != 1) {
				t.Errorf("second call: %+v, %v; want mode %q in 1 attempt", res, err, tt.mode)
			}
			if !reflect.DeepEqual(seen, tt.seen) {
				t.Errorf("backend saw formats %q, want %q", seen, tt.seen)
			}
		})
	}
}

// No more than MaxConcurrency calls are ever in flight at the backend. The
// backend holds every call until the test releases it, so the count is
// exact rather than a matter of timing.
func TestCompleteConcurrencyLimit(t *testing.T) {
	t.Parallel()
	const limit, calls = 3, 10
	var inFlight, maxSeen atomic.Int64
	arrived := make(chan struct{})
	release := make(chan struct{})
	// The deadline only guards against a hang if the limit is broken.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	f := newFake(t, func(*llmfake.Request, int64) llmfake.Reply {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			old := maxSeen.Load()
			if n <= old || maxSeen.CompareAndSwap(old, n) {
				break
			}
		}
		select {
		case arrived <- struct{}{}:
		case <-ctx.Done():
		}
		select {
		case <-release:
		case <-ctx.Done():
		}
		return llmfake.Reply{Content: "{}"}
	})
	m := newTestModel(t, f.BaseURL(), func(c *ModelConfig) { c.MaxConcurrency = limit })

	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for range calls {
		wg.Go(func() {
			if _, err := m.Complete(ctx, testReq); err != nil {
				errs <- err
			}
		})
	}
	wait := func(what string) {
		select {
		case <-arrived:
		case <-ctx.Done():
			t.Fatalf("stuck waiting for %s (in flight %d)", what, inFlight.Load())
		}
	}
	// Fill every slot, then let the calls through one at a time: each
	// release admits exactly one queued call.
	for i := range limit {
		wait(fmt.Sprintf("call %d", i+1))
	}
	// Hold the full slots until every other call is either queued in the
	// limiter or counted at the backend, so that a call admitted beyond the
	// limit is seen before any slot is freed.
	testwait.For(t, "every call to be queued or in flight", 10*time.Second, func() bool {
		return queued(m.limit)+int(inFlight.Load()) == calls
	})
	for range calls - limit {
		release <- struct{}{}
		wait("a queued call")
	}
	for range limit {
		release <- struct{}{}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Complete: %v", err)
	}
	if got := maxSeen.Load(); got != limit {
		t.Errorf("backend saw at most %d calls in flight, want exactly %d", got, limit)
	}
	if f.Calls() != calls {
		t.Errorf("backend saw %d calls, want %d", f.Calls(), calls)
	}
}

// Attempts counts every HTTP attempt, retries included, on success and on
// failure.
func TestCompleteAttempts(t *testing.T) {
	t.Parallel()
	rateLimitedUntil := func(okFrom int64) llmfake.Behavior {
		return func(_ *llmfake.Request, n int64) llmfake.Reply {
			if n < okFrom {
				return llmfake.Reply{Status: 429, Header: map[string]string{"Retry-After-Ms": "1"}}
			}
			return llmfake.Reply{Content: "{}"}
		}
	}
	tests := []struct {
		name     string
		behavior llmfake.Behavior
		retries  *int // nil: the default, 3
		attempts int64
		kind     FaultKind // 0: success
	}{
		{"first try", rateLimitedUntil(1), nil, 1, 0},
		{"429 twice then OK", rateLimitedUntil(3), nil, 3, 0},
		{"429 beyond the retries", rateLimitedUntil(100), intp(2), 3, FaultRateLimited},
		{"no retries", rateLimitedUntil(100), intp(0), 1, FaultRateLimited},
		{"400 is not retried", reply(llmfake.Reply{Status: 400}), nil, 1, FaultRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, tt.behavior)
			m := newTestModel(t, f.BaseURL(), func(c *ModelConfig) { c.MaxRetries = tt.retries })
			res, err := m.Complete(t.Context(), testReq)
			if tt.kind == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if res.Attempts != tt.attempts {
					t.Errorf("Attempts = %d, want %d", res.Attempts, tt.attempts)
				}
			} else if ce := asCallError(t, err); ce.Kind != tt.kind || ce.Attempts != tt.attempts {
				t.Errorf("kind %v attempts %d, want %v %d", ce.Kind, ce.Attempts, tt.kind, tt.attempts)
			}
			if f.Calls() != tt.attempts {
				t.Errorf("backend saw %d calls, want %d", f.Calls(), tt.attempts)
			}
		})
	}
}

// The key is sent to the backend and never appears in an error message.
func TestAPIKeyNeverInErrors(t *testing.T) {
	const key = "sk-test-SECRET-0123456789abcdef"
	t.Setenv("PJ_TEST_API_KEY", key)
	behaviors := map[string]llmfake.Behavior{
		"401":         reply(llmfake.Reply{Status: 401, ErrorMessage: "Incorrect API key provided"}),
		"429":         reply(llmfake.Reply{Status: 429}),
		"500":         reply(llmfake.Reply{Status: 500}),
		"bad body":    reply(llmfake.Reply{RawBody: "<html>"}),
		"timeout":     reply(llmfake.Reply{Delay: time.Minute}),
		"unreachable": nil,
	}
	for name, b := range behaviors {
		t.Run(name, func(t *testing.T) {
			var auth atomic.Value
			base := closedURL()
			if b != nil {
				base = newFake(t, func(req *llmfake.Request, n int64) llmfake.Reply {
					auth.Store(req.Header.Get("Authorization"))
					return b(req, n)
				}).BaseURL()
			}
			m := newTestModel(t, base, func(c *ModelConfig) {
				c.APIKeyEnv = "PJ_TEST_API_KEY"
				if name == "timeout" {
					c.Timeout = "50ms"
				}
			})
			_, err := m.Complete(t.Context(), testReq)
			if err == nil {
				t.Fatal("want an error")
			}
			ce := asCallError(t, err)
			for _, s := range []string{err.Error(), ce.Error(), ce.Kind.String()} {
				if strings.Contains(s, key) || strings.Contains(s, "SECRET") {
					t.Errorf("error message leaks the API key: %q", s)
				}
			}
			if b != nil && name != "timeout" { // a timed-out call may not have arrived
				if got := auth.Load(); got != "Bearer "+key {
					t.Errorf("backend saw Authorization %q, want the configured key", got)
				}
			}
		})
	}
}

// Local backends get a placeholder key, never an empty Authorization.
func TestAPIKeyPlaceholder(t *testing.T) {
	t.Parallel()
	var auth atomic.Value
	f := newFake(t, func(req *llmfake.Request, _ int64) llmfake.Reply {
		auth.Store(req.Header.Get("Authorization"))
		return llmfake.Reply{Content: "{}"}
	})
	m := newTestModel(t, f.BaseURL(), nil)
	if _, err := m.Complete(t.Context(), testReq); err != nil {
		t.Fatal(err)
	}
	if got := auth.Load(); got != "Bearer unused" {
		t.Errorf("Authorization = %q, want the placeholder", got)
	}
}

// A custom HTTP client passed to the registry is the one used.
func TestRegistryUsesGivenHTTPClient(t *testing.T) {
	t.Parallel()
	f := newFake(t, reply(llmfake.Reply{Content: "{}"}))
	var used atomic.Int64
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	r, err := NewRegistry(FileConfig{Models: []ModelConfig{{Name: "m", BaseURL: f.BaseURL(), MaxRetries: intp(0)}}}, WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := r.Get("m")
	if _, err := m.Complete(t.Context(), testReq); err != nil {
		t.Fatal(err)
	}
	if used.Load() != 1 {
		t.Errorf("custom transport used %d times, want 1", used.Load())
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
