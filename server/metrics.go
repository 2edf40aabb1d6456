package server

import (
	"context"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

var (
	meter = otel.Meter("github.com/personajudge/personajudge/server")

	judgmentsByStatus, _ = meter.Int64Counter("personajudge.judgments",
		metric.WithDescription("Judgments by kind and status (verdict, abstain, judge_error)."))
	positionConsistency, _ = meter.Float64Histogram("personajudge.position_consistency",
		metric.WithDescription("Share of votes agreeing with the most common answer, per judgment with votes."),
		metric.WithExplicitBucketBoundaries(0.25, 0.5, 0.75, 0.99, 1))
	positionInconsistent, _ = meter.Int64Counter("personajudge.position_inconsistent",
		metric.WithDescription("Judgments whose orders did not all agree (position_consistency < 1)."))
)

func recordJudgment(ctx context.Context, kind string, resp *pb.ScoreResponse) {
	status := "judge_error"
	switch resp.Status {
	case pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT:
		status = "verdict"
	case pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN:
		status = "abstain"
	}
	attrs := metric.WithAttributes(attribute.String("kind", kind), attribute.String("status", status))
	judgmentsByStatus.Add(ctx, 1, attrs)
	if resp.Status == pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR {
		return
	}
	positionConsistency.Record(ctx, resp.PositionConsistency, metric.WithAttributes(attribute.String("kind", kind)))
	if resp.PositionConsistency < 1 {
		positionInconsistent.Add(ctx, 1, metric.WithAttributes(attribute.String("kind", kind)))
	}
}
