package judges

import (
	"context"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

var (
	meter  = otel.Meter("github.com/personajudge/personajudge/judges")
	tracer = otel.Tracer("github.com/personajudge/personajudge/judges")

	votesByStatus, _ = meter.Int64Counter("personajudge.votes",
		metric.WithDescription("Judge calls by model and parse status (ok, repaired, failed, refused, transport_error); cache hits are counted apart."))
	cacheHits, _ = meter.Int64Counter("personajudge.llm.cache_hits",
		metric.WithDescription("Judge calls answered from the response cache or shared with an identical call in flight."))
)

func recordVote(ctx context.Context, v *pb.Vote) {
	if v.CacheHit {
		cacheHits.Add(ctx, 1, metric.WithAttributes(attribute.String("gen_ai.request.model", v.Model)))
		return
	}
	votesByStatus.Add(ctx, 1, metric.WithAttributes(
		attribute.String("gen_ai.request.model", v.Model),
		attribute.String("parse_status", parseStatusName(v.ParseStatus)),
	))
}

// traceCacheHit leaves a span for a call the cache answered, so a trace
// shows every vote of a judgment, paid or not.
func traceCacheHit(ctx context.Context, v *pb.Vote) {
	_, span := tracer.Start(ctx, "chat "+v.Model+" (cached)", trace.WithAttributes(
		attribute.String("gen_ai.operation.name", "chat"),
		attribute.String("gen_ai.request.model", v.Model),
		attribute.Bool("personajudge.cache_hit", true),
	))
	span.End()
}

func parseStatusName(s pb.ParseStatus) string {
	switch s {
	case pb.ParseStatus_PARSE_STATUS_OK:
		return "ok"
	case pb.ParseStatus_PARSE_STATUS_REPAIRED:
		return "repaired"
	case pb.ParseStatus_PARSE_STATUS_FAILED:
		return "failed"
	case pb.ParseStatus_PARSE_STATUS_REFUSED:
		return "refused"
	case pb.ParseStatus_PARSE_STATUS_TRANSPORT_ERROR:
		return "transport_error"
	}
	return "unspecified"
}
