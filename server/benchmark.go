package server

import (
	"context"
	"errors"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/personagym"
	"github.com/personajudge/personajudge/store"
)

// BenchmarkService implements BenchmarkService: finished PersonaGym runs
// are stored as they are sent, and rolled up and compared by the same
// personagym code that `run personagym` and `run compare` print, so the
// API and the CLI cannot disagree on what a PersonaScore is.
type BenchmarkService struct {
	svc   *Service
	store *store.Store
}

var _ personajudgev1connect.BenchmarkServiceHandler = (*BenchmarkService)(nil)

// Benchmark returns the BenchmarkService over the same store.
func (s *Service) Benchmark() *BenchmarkService { return &BenchmarkService{svc: s, store: s.store} }

// RecordRun stores a finished run: all of its items or, on any bad item,
// none.
func (b *BenchmarkService) RecordRun(ctx context.Context, req *pb.RecordRunRequest) (*pb.RecordRunResponse, error) {
	if fe := validateRecordRun(req); fe != nil {
		return nil, invalidArgument(fe)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, b.internal(ctx, "recording the run", err)
	}
	run := store.BenchmarkRun{ID: id.String(), Name: req.Name, Agent: req.Agent, CreatedAt: time.Now()}
	items := make([]store.BenchmarkItem, len(req.Items))
	for i, it := range req.Items {
		items[i] = store.BenchmarkItem{Persona: int(it.Persona), Task: int32(it.Task), QuestionID: it.QuestionId,
			Status: int32(it.Status), Score: it.Score, Reason: it.Reason}
	}
	if err := b.store.SaveBenchmarkRun(ctx, run, items); err != nil {
		return nil, b.internal(ctx, "recording the run", err)
	}
	return &pb.RecordRunResponse{RunId: run.ID, Items: int32(len(items))}, nil
}

// RollUp reports a stored run as `run personagym` summarizes it.
func (b *BenchmarkService) RollUp(ctx context.Context, req *pb.RollUpRequest) (*pb.RollUpResponse, error) {
	if fe := validateRunID("run_id", req.RunId); fe != nil {
		return nil, invalidArgument(fe)
	}
	if fe := validateBenchmarkSamples("bootstrap_samples", req.BootstrapSamples); fe != nil {
		return nil, invalidArgument(fe)
	}
	run, results, err := b.load(ctx, "run_id", req.RunId)
	if err != nil {
		return nil, err
	}
	s := personagym.SummarizeResults(results, nil, req.BootstrapSeed, int(req.BootstrapSamples))
	out := rollUpPB(s)
	out.Run = benchmarkRunPB(run)
	return out, nil
}

// CompareRuns says whether run B is better than run A on the questions
// both scored.
func (b *BenchmarkService) CompareRuns(ctx context.Context, req *pb.CompareRunsRequest) (*pb.CompareRunsResponse, error) {
	for _, f := range []struct{ name, id string }{{"run_a", req.RunA}, {"run_b", req.RunB}} {
		if fe := validateRunID(f.name, f.id); fe != nil {
			return nil, invalidArgument(fe)
		}
	}
	if fe := validateBenchmarkSamples("samples", req.Samples); fe != nil {
		return nil, invalidArgument(fe)
	}
	runA, a, err := b.load(ctx, "run_a", req.RunA)
	if err != nil {
		return nil, err
	}
	runB, bs, err := b.load(ctx, "run_b", req.RunB)
	if err != nil {
		return nil, err
	}
	c, err := personagym.CompareResults(a, bs, req.Seed, int(req.Samples))
	if errors.Is(err, personagym.ErrNoSharedQuestions) {
		return nil, connect.NewError(connect.CodeFailedPrecondition,
			errors.New("run_b: shares no question with run_a (pairs are the same persona, task and question_id)"))
	}
	if err != nil {
		return nil, b.internal(ctx, "comparing runs", err)
	}
	out := comparisonPB(c)
	out.RunA, out.RunB = benchmarkRunPB(runA), benchmarkRunPB(runB)
	return out, nil
}

// load reads a stored run as personagym results; an unknown id is
// NotFound naming field.
func (b *BenchmarkService) load(ctx context.Context, field, id string) (store.BenchmarkRun, []personagym.Result, error) {
	run, err := b.store.GetBenchmarkRun(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return run, nil, connect.NewError(connect.CodeNotFound, errors.New(field+": no benchmark run "+id))
	}
	if err != nil {
		return run, nil, b.internal(ctx, "reading the run", err)
	}
	items, err := b.store.BenchmarkItems(ctx, id)
	if err != nil {
		return run, nil, b.internal(ctx, "reading the run", err)
	}
	results := make([]personagym.Result, len(items))
	for i, it := range items {
		task := pb.AdherenceTaskKind(it.Task)
		results[i] = personagym.Result{
			ItemID:  personagym.StoredItemID(it.Persona, task, it.QuestionID),
			Persona: it.Persona, Task: task, Question: it.QuestionID,
			Status: pb.JudgmentStatus(it.Status), Score: it.Score, Reason: it.Reason,
		}
	}
	return run, results, nil
}

func (b *BenchmarkService) internal(ctx context.Context, what string, err error) error {
	return b.svc.internalError(ctx, connect.CodeInternal, "STORE_UNAVAILABLE", what+" failed", err)
}
