package main

import (
	"context"
	"fmt"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
)

// recordRunOutcomes is `eval --record-outcomes`: once the results are in,
// it sends the label of every labelled VERDICT result in --out (earlier
// runs' and this one's) to CalibrationService.RecordOutcomes, so a
// calibrator can be fitted on them. Labels already recorded come back as
// unchanged, so re-running or resuming is harmless. After a failed or
// interrupted run nothing is sent: the resumed run sends everything.
func recordRunOutcomes(ctx context.Context, o evalOptions, addr string, stats *evalStats, runErr error) error {
	if runErr != nil || ctx.Err() != nil {
		stats.outcomesNote = "not recorded: the run did not finish (resuming records them)"
		return nil
	}
	hc := h2cClient(addr)
	defer hc.CloseIdleConnections() // so an in-process service shuts down at once
	client := personajudgev1connect.NewCalibrationServiceClient(hc, addr, apiKeyOption())
	all := stats.outcomes
	for start := 0; start < len(all); start += o.outcomesBatch {
		end := min(start+o.outcomesBatch, len(all))
		resp, err := client.RecordOutcomes(ctx, &pb.RecordOutcomesRequest{Outcomes: all[start:end]})
		if err != nil {
			stats.outcomesNote = fmt.Sprintf("stopped at label %d", start)
			return fmt.Errorf("recording outcomes %d-%d of %d: %w", start, end-1, len(all), rpcError(err))
		}
		stats.recorded += int(resp.Recorded)
		stats.unchanged += int(resp.Unchanged)
	}
	return nil
}
