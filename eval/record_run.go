package eval

import (
	"context"
	"fmt"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
)

// RecordRun sends a finished run's summary (as Summary.JSON writes it) to
// the service's ConsoleService.RecordEvalRun under name, so the run shows
// up in the web console beside the judgments it made. It calls the service
// at cfg.Addr with cfg's client and options, and returns the run's id.
func RecordRun(ctx context.Context, cfg Config, name string, summaryJSON []byte) (string, error) {
	client := personajudgev1connect.NewConsoleServiceClient(cfg.HTTPClient, cfg.Addr, cfg.ClientOptions...)
	resp, err := client.RecordEvalRun(ctx, &pb.RecordEvalRunRequest{Name: name, SummaryJson: string(summaryJSON)})
	if err != nil {
		return "", fmt.Errorf("recording the run: %s: %w", connect.CodeOf(err), err)
	}
	return resp.RunId, nil
}
