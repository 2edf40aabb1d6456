package clients

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// OutputMode is a rung of the structured-output ladder.
type OutputMode string

const (
	// OutputSchema asks for output matching a strict JSON schema.
	OutputSchema OutputMode = "json_schema"
	// OutputJSONObject asks for any JSON object.
	OutputJSONObject OutputMode = "json_object"
	// OutputText asks for nothing; the judge parses text tolerantly.
	OutputText OutputMode = "text"
)

// Message is one chat message.
type Message struct {
	Role    string // "system", "user" or "assistant"
	Content string
}

// Schema is a named JSON schema for structured output. A Schema must not
// change once used: its JSON is encoded on first use and kept, so a judge
// that shares one Schema across calls pays for the encoding once.
type Schema struct {
	Name   string
	Schema map[string]any

	encodeOnce sync.Once
	encoded    json.RawMessage
	encodeErr  error
}

// encodedJSON is the schema's encoding, made once.
func (s *Schema) encodedJSON() (json.RawMessage, error) {
	s.encodeOnce.Do(func() { s.encoded, s.encodeErr = json.Marshal(s.Schema) })
	return s.encoded, s.encodeErr
}

// Request is one chat completion to make.
type Request struct {
	Messages    []Message
	Schema      *Schema
	Temperature float64
	// Seed makes sampling repeatable where the backend supports it.
	Seed *int64
}

// Response is a completed call.
type Response struct {
	Content          string
	Refusal          string
	FinishReason     string
	PromptTokens     int64
	CompletionTokens int64
	// Attempts counts HTTP attempts, retries included.
	Attempts int64
	Mode     OutputMode
	// QueueWait is the time spent waiting for a concurrency slot and the
	// per-minute rate before the first attempt; Latency is the call itself,
	// from the first attempt to the answer, retries included.
	QueueWait time.Duration
	Latency   time.Duration
	// Tokens are the content tokens with their log-probabilities; nil when
	// the backend returned none.
	Tokens []TokenLogprob
}

// Model is a configured judge model with its own client and limit.
type Model struct {
	cfg    ModelConfig
	client openai.Client
	limit  *limiter
	mode   atomic.Value // OutputMode currently used
	// noLogprobs is set once the backend has rejected the logprobs option,
	// so the model stops asking for it.
	noLogprobs atomic.Bool
	tracer     trace.Tracer
	attrs      callAttrs
}

type (
	attemptsKey struct{}
	epochKey    struct{}
)

func newModel(cfg ModelConfig, httpClient *http.Client) (*Model, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	lim := newLimiter(cfg.MaxConcurrency, cfg.RequestsPerMinute)
	rateLimitedAttrs := metric.WithAttributeSet(attribute.NewSet(attribute.String("gen_ai.request.model", cfg.Model)))
	opts := []option.RequestOption{
		option.WithBaseURL(cfg.BaseURL),
		option.WithAPIKey(cfg.apiKey),
		option.WithMaxRetries(*cfg.MaxRetries),
		option.WithRequestTimeout(cfg.timeout()),
		option.WithMaxRetryDelay(30 * time.Second),
		// Count every HTTP attempt, so usage reports retries honestly.
		option.WithMiddleware(func(r *http.Request, next option.MiddlewareNext) (*http.Response, error) {
			if n, ok := r.Context().Value(attemptsKey{}).(*atomic.Int64); ok {
				n.Add(1)
			}
			res, err := next(r)
			if err == nil && res.StatusCode == http.StatusTooManyRequests {
				// Seen on every attempt, including openai-go's own retries.
				epoch, _ := r.Context().Value(epochKey{}).(uint64)
				lim.rateLimited(epoch)
				rateLimited.Add(r.Context(), 1, rateLimitedAttrs)
			}
			return res, err
		}),
	}
	if httpClient != nil {
		opts = append(opts, option.WithHTTPClient(httpClient))
	}
	m := &Model{
		cfg:    cfg,
		client: openai.NewClient(opts...),
		limit:  lim,
		tracer: otel.Tracer("github.com/personajudge/personajudge/clients"),
		attrs:  newCallAttrs(cfg),
	}
	start := OutputSchema
	if cfg.Output != "" {
		start = OutputMode(cfg.Output)
	}
	m.mode.Store(start)
	return m, nil
}

// Name is the configured name.
func (m *Model) Name() string { return m.cfg.Name }

// ModelID is the backend's model id.
func (m *Model) ModelID() string { return m.cfg.Model }

// ConcurrencyLimit is the current adaptive concurrency limit.
func (m *Model) ConcurrencyLimit() int { return m.limit.current() }

// Mode is the structured-output rung currently in use.
func (m *Model) Mode() OutputMode { return m.mode.Load().(OutputMode) }

// Complete makes one chat completion, waiting for a concurrency slot and
// the per-minute rate first. Waiting is bounded only by ctx: a queued item
// is not failed for waiting.
func (m *Model) Complete(ctx context.Context, req Request) (*Response, error) {
	queued := time.Now()
	if err := m.limit.acquire(ctx); err != nil {
		ce := classify(&m.cfg, err)
		ce.QueueWait = time.Since(queued)
		return nil, ce
	}
	defer m.limit.release()
	if err := m.limit.wait(ctx); err != nil {
		ce := classify(&m.cfg, err)
		ce.QueueWait = time.Since(queued)
		return nil, ce
	}
	epoch := m.limit.started()
	ctx = context.WithValue(ctx, epochKey{}, epoch)
	start := time.Now()
	queueWait := start.Sub(queued)

	ctx, span := m.tracer.Start(ctx, m.attrs.spanName, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(m.attrs.span...),
		trace.WithAttributes(attribute.Float64("gen_ai.request.temperature", req.Temperature)))
	defer span.End()

	attempts := new(atomic.Int64)
	ctx = context.WithValue(ctx, attemptsKey{}, attempts)
	for {
		mode := m.Mode()
		askedLogprobs := !m.noLogprobs.Load()
		body, err := m.requestBody(req, mode, askedLogprobs)
		if err != nil {
			ce := classify(&m.cfg, err)
			ce.QueueWait = queueWait
			span.RecordError(ce)
			span.SetStatus(codes.Error, ce.Kind.String())
			return nil, ce
		}
		// The empty params marshal to a few bytes; the body option replaces them.
		res, err := m.client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{}, option.WithRequestBody("application/json", body))
		if err != nil {
			ce := classify(&m.cfg, err)
			if ce.Kind == FaultRejected && askedLogprobs && refusesLogprobs(err) {
				// Token probabilities are optional: stop asking this model
				// for them and try again at once.
				m.noLogprobs.Store(true)
				span.AddEvent("logprobs unsupported")
				continue
			}
			if ce.Kind == FaultRejected && mode != OutputText && refusesFormat(err) {
				// The backend does not support this response_format: step
				// down the ladder for this model and try again at once.
				m.mode.CompareAndSwap(mode, nextMode(mode))
				span.AddEvent("structured output unsupported", trace.WithAttributes(attribute.String("mode", string(mode))))
				continue
			}
			ce.Attempts = attempts.Load()
			ce.QueueWait = queueWait
			m.attrs.recordFailure(ctx, time.Since(start), ce.Kind.String())
			span.RecordError(ce)
			span.SetStatus(codes.Error, ce.Kind.String())
			return nil, ce
		}
		m.limit.succeeded(epoch)
		out := &Response{
			Mode:      mode,
			Attempts:  attempts.Load(),
			QueueWait: queueWait,
			Latency:   time.Since(start),
		}
		if len(res.Choices) > 0 {
			c := res.Choices[0]
			out.Content = c.Message.Content
			out.Refusal = c.Message.Refusal
			out.FinishReason = string(c.FinishReason)
			out.Tokens = tokensOf(c.Logprobs)
		}
		out.PromptTokens = res.Usage.PromptTokens
		out.CompletionTokens = res.Usage.CompletionTokens
		m.attrs.recordSuccess(ctx, out.Latency, out.PromptTokens, out.CompletionTokens)
		if span.IsRecording() {
			// Attributes are built only for a span that is kept.
			span.SetAttributes(
				attribute.Bool("personajudge.cache_hit", false),
				attribute.Int64("personajudge.attempts", out.Attempts),
				attribute.String("gen_ai.response.model", res.Model),
				attribute.StringSlice("gen_ai.response.finish_reasons", []string{out.FinishReason}),
				attribute.Int64("gen_ai.usage.input_tokens", out.PromptTokens),
				attribute.Int64("gen_ai.usage.output_tokens", out.CompletionTokens),
			)
		}
		return out, nil
	}
}

func nextMode(m OutputMode) OutputMode {
	if m == OutputSchema {
		return OutputJSONObject
	}
	return OutputText
}

// refusesFormat reports whether a 4xx says the response_format is not
// supported, as vLLM, llama.cpp and older OpenAI-compatible servers answer.
func refusesFormat(err error) bool {
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
		return false
	}
	msg := strings.ToLower(apiErr.Message + " " + apiErr.Param + " " + apiErr.RawJSON())
	for _, w := range []string{"response_format", "json_schema", "json_object", "schema"} {
		if strings.Contains(msg, w) {
			return true
		}
	}
	return false
}
