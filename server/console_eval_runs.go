package server

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/store"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// MaxEvalRunNameBytes bounds an eval run's name.
const MaxEvalRunNameBytes = 200

// RecordEvalRun stores a finished eval run's summary.
func (c *ConsoleService) RecordEvalRun(ctx context.Context, req *pb.RecordEvalRunRequest) (*pb.RecordEvalRunResponse, error) {
	if req.Name == "" || len(req.Name) > MaxEvalRunNameBytes || !utf8.ValidString(req.Name) {
		return nil, invalidArgument(badField("name", "must be 1 to %d bytes of UTF-8", MaxEvalRunNameBytes))
	}
	var obj map[string]json.RawMessage
	if !strings.HasPrefix(strings.TrimSpace(req.SummaryJson), "{") || json.Unmarshal([]byte(req.SummaryJson), &obj) != nil {
		return nil, invalidArgument(badField("summary_json", "must be a JSON object, as eval --summary-json writes it"))
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, c.internal(ctx, "recording the eval run", err)
	}
	run := store.EvalRun{ID: id.String(), Name: req.Name, Summary: req.SummaryJson, CreatedAt: time.Now()}
	if err := c.store.SaveEvalRun(ctx, run); err != nil {
		return nil, c.internal(ctx, "recording the eval run", err)
	}
	return &pb.RecordEvalRunResponse{RunId: run.ID}, nil
}

// ListEvalRuns lists recorded runs, newest first, without summaries.
func (c *ConsoleService) ListEvalRuns(ctx context.Context, req *pb.ListEvalRunsRequest) (*pb.ListEvalRunsResponse, error) {
	limit, fe := pageSize(req.PageSize)
	if fe != nil {
		return nil, invalidArgument(fe)
	}
	start, fe := decodePageToken(req.PageToken)
	if fe != nil {
		return nil, invalidArgument(fe)
	}
	runs, err := c.store.ListEvalRuns(ctx, limit+1, start)
	if err != nil {
		return nil, c.internal(ctx, "listing eval runs", err)
	}
	out := &pb.ListEvalRunsResponse{}
	if len(runs) > limit {
		runs = runs[:limit]
		last := runs[limit-1]
		out.NextPageToken = encodePageToken(store.Cursor{CreatedAt: last.CreatedAt.UnixMilli(), ID: last.ID})
	}
	for _, r := range runs {
		out.Runs = append(out.Runs, evalRunPB(r))
	}
	return out, nil
}

// GetEvalRun returns one run with its summary.
func (c *ConsoleService) GetEvalRun(ctx context.Context, req *pb.GetEvalRunRequest) (*pb.GetEvalRunResponse, error) {
	if req.RunId == "" || len(req.RunId) > 64 {
		return nil, invalidArgument(badField("run_id", "must be a run id"))
	}
	r, err := c.store.GetEvalRun(ctx, req.RunId)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoRun(req.RunId)
	}
	if err != nil {
		return nil, c.internal(ctx, "reading the eval run", err)
	}
	return &pb.GetEvalRunResponse{Run: evalRunPB(r)}, nil
}

func evalRunPB(r store.EvalRun) *pb.EvalRun {
	return &pb.EvalRun{RunId: r.ID, Name: r.Name, CreatedAt: timestamppb.New(r.CreatedAt), SummaryJson: r.Summary}
}
