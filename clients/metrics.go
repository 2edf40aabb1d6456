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

func recordCall(ctx context.Context, model string, d time.Duration, in, out int64, errType string) {
	attrs := []attribute.KeyValue{
		attribute.String("gen_ai.operation.name", "chat"),
		attribute.String("gen_ai.provider.name", "openai"),
		attribute.String("gen_ai.request.model", model),
	}
	if errType != "" {
		attrs = append(attrs, attribute.String("error.type", errType))
	}
	opDuration.Record(ctx, d.Seconds(), metric.WithAttributes(attrs...))
	if errType != "" {
		return
	}
	tokenUsage.Record(ctx, in, metric.WithAttributes(append(attrs, attribute.String("gen_ai.token.type", "input"))...))
	tokenUsage.Record(ctx, out, metric.WithAttributes(append(attrs, attribute.String("gen_ai.token.type", "output"))...))
}
