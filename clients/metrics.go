package clients

import (
	"context"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Instruments follow the OpenTelemetry GenAI semantic conventions where one
// exists (gen_ai.client.*). They are created on the global MeterProvider,
// which delegates to whatever SDK the binary installs (a no-op otherwise).
var (
	meter = otel.Meter("github.com/personajudge/personajudge/clients")

	opDuration, _ = meter.Float64Histogram("gen_ai.client.operation.duration",
		metric.WithUnit("s"), metric.WithDescription("Duration of LLM chat calls, retries included."),
		metric.WithExplicitBucketBoundaries(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92))
	tokenUsage, _ = meter.Int64Histogram("gen_ai.client.token.usage",
		metric.WithUnit("{token}"), metric.WithDescription("Tokens used by LLM chat calls."),
		metric.WithExplicitBucketBoundaries(1, 4, 16, 64, 256, 1024, 4096, 16384, 65536))
	rateLimited, _ = meter.Int64Counter("personajudge.llm.rate_limited",
		metric.WithDescription("429 answers from LLM backends, retries included."))
)

// callAttrs holds a model's span and metric attributes, built once: they
// depend only on the configuration, and building attribute sets on every
// call (sorting, hashing, allocating) was a measurable share of a call's
// own CPU.
type callAttrs struct {
	spanName      string
	span          []attribute.KeyValue
	base          []attribute.KeyValue
	ok            metric.MeasurementOption
	input, output metric.MeasurementOption
}

func newCallAttrs(cfg ModelConfig) callAttrs {
	base := []attribute.KeyValue{
		attribute.String("gen_ai.operation.name", "chat"),
		attribute.String("gen_ai.provider.name", "openai"),
		attribute.String("gen_ai.request.model", cfg.Model),
	}
	with := func(extra ...attribute.KeyValue) metric.MeasurementOption {
		return metric.WithAttributeSet(attribute.NewSet(append(append([]attribute.KeyValue(nil), base...), extra...)...))
	}
	return callAttrs{
		spanName: "chat " + cfg.Model,
		span: append(append([]attribute.KeyValue(nil), base...),
			attribute.Int("gen_ai.request.max_tokens", cfg.MaxTokens),
			attribute.String("server.address", cfg.BaseURL)),
		base:   base,
		ok:     with(),
		input:  with(attribute.String("gen_ai.token.type", "input")),
		output: with(attribute.String("gen_ai.token.type", "output")),
	}
}

func (a *callAttrs) recordSuccess(ctx context.Context, d time.Duration, in, out int64) {
	opDuration.Record(ctx, d.Seconds(), a.ok)
	tokenUsage.Record(ctx, in, a.input)
	tokenUsage.Record(ctx, out, a.output)
}

// recordFailure builds its attribute set per call: failures are rare, and
// their error.type varies.
func (a *callAttrs) recordFailure(ctx context.Context, d time.Duration, errType string) {
	attrs := append(append([]attribute.KeyValue(nil), a.base...), attribute.String("error.type", errType))
	opDuration.Record(ctx, d.Seconds(), metric.WithAttributes(attrs...))
}
