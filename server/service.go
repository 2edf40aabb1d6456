// Package server wires the JudgeService Connect handlers: validation at the
// boundary, judge dispatch, the ledger write before every answer, health,
// reflection, and an HTTP server with h2c and graceful shutdown.
package server

import (
	"context"
	"errors"
	"log/slog"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/judges"
	"github.com/personajudge/personajudge/store"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Service implements JudgeService.
type Service struct {
	// An RPC added to the contract answers Unimplemented until it is served.
	personajudgev1connect.UnimplementedJudgeServiceHandler

	engine *judges.Engine
	store  *store.Store
	log    *slog.Logger
	// calibrators caches each profile's active calibrator (calibration_serve.go).
	calibrators *calibratorCache
	admission   *admission
	drain       drainState // shutdown of open streams (drain.go)
}

// NewService builds the service over an engine and a store.
func NewService(engine *judges.Engine, st *store.Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{engine: engine, store: st, log: log, calibrators: newCalibratorCache(st), admission: newAdmission(DefaultMaxQueued)}
}

func (s *Service) knownModel(name string) bool {
	_, ok := s.engine.Models.Get(name)
	return ok
}

// Score validates, judges, records and answers one item.
func (s *Service) Score(ctx context.Context, req *pb.ScoreRequest) (*pb.ScoreResponse, error) {
	release, err := s.admission.tryAdmit(1)
	if err != nil {
		return nil, err
	}
	defer release()
	return s.judgeOne(ctx, req)
}

// judgeOne is the whole path of one item, shared by every RPC that judges:
// validate, judge, record, answer. The returned error is an RPC error.
func (s *Service) judgeOne(ctx context.Context, req *pb.ScoreRequest) (*pb.ScoreResponse, error) {
	if fe := validateScore(req, s.knownModel); fe != nil {
		return nil, invalidArgument(fe)
	}
	task, kind, err := taskFor(req)
	if err != nil {
		return nil, err
	}
	resp, err := s.engine.Judge(ctx, task, s.judgeConfig(req))
	if err != nil {
		return nil, judgeError(ctx, err)
	}
	if err := s.applyCalibrator(ctx, req.Judge, resp); err != nil {
		return nil, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	resp.ItemId = req.ItemId
	resp.JudgmentId = id.String()
	resp.CreatedAt = timestamppb.Now()
	// The LLM work is paid for: record it even if the caller has gone away,
	// and answer only once the record is durable.
	if err := s.store.SaveJudgment(context.WithoutCancel(ctx), kind, req, resp); err != nil {
		s.log.Error("save judgment", "judgment_id", resp.JudgmentId, "err", err)
		return nil, connect.NewError(connect.CodeUnavailable, errors.New("the judgment could not be recorded; retry"))
	}
	recordJudgment(ctx, kind, resp)
	return resp, nil
}

// GetJudgment returns a stored judgment.
func (s *Service) GetJudgment(ctx context.Context, req *pb.GetJudgmentRequest) (*pb.GetJudgmentResponse, error) {
	if req.JudgmentId == "" {
		return nil, invalidArgument(badField("judgment_id", "must not be empty"))
	}
	if len(req.JudgmentId) > 64 {
		return nil, invalidArgument(badField("judgment_id", "is not a judgment id"))
	}
	sreq, sresp, err := s.store.GetJudgment(ctx, req.JudgmentId)
	if errors.Is(err, store.ErrNotFound) {
		return nil, connect.NewError(connect.CodeNotFound, errors.New("judgment_id: no judgment "+req.JudgmentId))
	}
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	return &pb.GetJudgmentResponse{Judgment: sresp, Request: sreq}, nil
}

// taskFor builds the judge task for the request's oneof. Each task kind
// lives in its own file (task_*.go) with its validation.
func taskFor(req *pb.ScoreRequest) (judges.Task, string, error) {
	switch t := req.Task.(type) {
	case *pb.ScoreRequest_Preference:
		return preferenceTask(t.Preference, req.Judge)
	case *pb.ScoreRequest_RoleIdentification:
		return roleIdentificationTask(t.RoleIdentification, req.Judge)
	case *pb.ScoreRequest_Adherence:
		return adherenceTask(t.Adherence, req.Judge)
	}
	return nil, "", invalidArgument(badField("task", "one of role_identification, preference or adherence must be set"))
}

func (s *Service) judgeConfig(req *pb.ScoreRequest) judges.Config {
	c := req.Judge
	cfg := judges.Config{
		Models:  c.GetModels(),
		Policy:  c.GetOrderPolicy(),
		Samples: int(c.GetSamplesPerOrder()),
		Cache:   c.GetCache(),
		// The cache key covers the task's inputs and the options that
		// change its prompt, not the caller's item_id.
		ItemDigest: judges.ItemDigest(&pb.ScoreRequest{Task: req.Task, Judge: &pb.JudgeConfig{AllowTie: c.GetAllowTie()}}),
	}
	if len(cfg.Models) == 0 {
		cfg.Models = []string{s.engine.Models.Default()}
	}
	if cfg.Samples == 0 {
		cfg.Samples = 1
	}
	if c != nil && c.Temperature != nil {
		cfg.Temperature = *c.Temperature
	}
	return cfg
}

// judgeError maps an engine error to an RPC error.
func judgeError(ctx context.Context, err error) error {
	switch {
	case errors.Is(err, judges.ErrUnreachable):
		return connect.NewError(connect.CodeUnavailable, err)
	case ctx.Err() != nil:
		return connect.NewError(connect.CodeOf(ctx.Err()), ctx.Err())
	case errors.Is(err, context.DeadlineExceeded):
		return connect.NewError(connect.CodeDeadlineExceeded, err)
	case errors.Is(err, context.Canceled):
		return connect.NewError(connect.CodeCanceled, err)
	}
	return connect.NewError(connect.CodeInternal, err)
}
