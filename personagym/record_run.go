package personagym

import (
	"context"
	"fmt"
	"net/http"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
)

// StoredItemID is the item id of a stored run's item, in the results
// files' form ("p007.ea.q03"), so a stored run pairs and rolls up as its
// results file does.
func StoredItemID(persona int, task pb.AdherenceTaskKind, question string) string {
	return fmt.Sprintf("p%03d.%s.%s", persona, taskCodes[task], question)
}

// TaskKind is the task a TaskName names.
func TaskKind(name string) (pb.AdherenceTaskKind, bool) {
	t, ok := taskNames[name]
	return t, ok
}

// RecordRequest is a run's results as BenchmarkService.RecordRun takes
// them: one item per judged answer, the score only for a verdict.
func RecordRequest(name, agent string, results []Result) *pb.RecordRunRequest {
	req := &pb.RecordRunRequest{Name: name, Agent: agent, Items: make([]*pb.BenchmarkItem, 0, len(results))}
	for _, r := range results {
		req.Items = append(req.Items, &pb.BenchmarkItem{
			Persona: int32(r.Persona), Task: r.Task, QuestionId: r.Question,
			Status: r.Status, Score: r.Score, Reason: r.Reason,
		})
	}
	return req
}

// RecordRun sends a finished run's results to the service at addr
// (BenchmarkService.RecordRun) and returns the stored run's id.
func RecordRun(ctx context.Context, addr string, hc *http.Client, name, agent string, results []Result, opts ...connect.ClientOption) (string, error) {
	client := personajudgev1connect.NewBenchmarkServiceClient(hc, addr, opts...)
	resp, err := client.RecordRun(ctx, RecordRequest(name, agent, results))
	if err != nil {
		return "", fmt.Errorf("recording the run: %s: %w", connect.CodeOf(err), err)
	}
	return resp.RunId, nil
}
