package eval

import (
	"context"
	"fmt"

	"connectrpc.com/connect"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
)

// recordOutcomes is Config.RecordOutcomes: once the results are in, it
// sends the label of every labelled VERDICT result in the results file
// (earlier runs' and this one's) to CalibrationService.RecordOutcomes, so a
// calibrator can be fitted on them. Labels already recorded come back as
// unchanged, so re-running or resuming is harmless. After a failed or
// interrupted run nothing is sent: the resumed run sends everything.
func recordOutcomes(ctx context.Context, cfg *Config, s *Summary, runErr error) error {
	if runErr != nil || ctx.Err() != nil {
		s.outcomesNote = "not recorded: the run did not finish (resuming records them)"
		return nil
	}
	clients := make([]personajudgev1connect.CalibrationServiceClient, len(cfg.Addrs))
	for i, addr := range cfg.Addrs {
		clients[i] = personajudgev1connect.NewCalibrationServiceClient(cfg.HTTPClient, addr, cfg.ClientOptions...)
	}
	all := s.outcomes
	for start := 0; start < len(all); start += cfg.OutcomesBatch {
		end := min(start+cfg.OutcomesBatch, len(all))
		req := &pb.RecordOutcomesRequest{Outcomes: all[start:end]}
		var resp *pb.RecordOutcomesResponse
		var err error
		// A batch refused as Unavailable (a replica that went away) goes
		// to the next replica; recording is idempotent.
		for _, c := range clients {
			if resp, err = c.RecordOutcomes(ctx, req); connect.CodeOf(err) != connect.CodeUnavailable {
				break
			}
		}
		if err != nil {
			s.outcomesNote = fmt.Sprintf("stopped at label %d", start)
			return fmt.Errorf("recording outcomes %d-%d of %d: %w", start, end-1, len(all), err)
		}
		s.Recorded += int(resp.Recorded)
		s.Unchanged += int(resp.Unchanged)
	}
	return nil
}
