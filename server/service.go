// Package server wires the JudgeService Connect handlers: validation at the
// boundary, judge dispatch, the ledger write before every answer, health,
// reflection, and an HTTP server with h2c and graceful shutdown. It maps
// wire messages to the judges' domain types and back; what a judgment
// means is the judges package's to say.
package server

import (
	"context"
	"errors"
	"fmt"
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

	engine    *judges.Engine
	store     *store.Store
	log       *slog.Logger
	admission *admission
	drain     drainState // shutdown of open streams (drain.go)
}

// ServiceOption configures a Service (the functional-options idiom used by
// every constructor of the project).
type ServiceOption func(*Service)

// WithLogger sets the service's logger (default slog.Default()).
func WithLogger(l *slog.Logger) ServiceOption {
	return func(s *Service) {
		if l != nil {
			s.log = l
		}
	}
}

// WithMaxQueued bounds the items being judged or queued across callers;
// beyond it requests get ResourceExhausted (default DefaultMaxQueued).
func WithMaxQueued(n int) ServiceOption {
	return func(s *Service) { s.admission = newAdmission(n) }
}

// NewService builds the service over an engine and a store. The engine
// should calibrate with the same store (judges.WithCalibrators), so a fit
// through the CalibrationService takes effect on the next Score. A
// calibrator activated through another replica sharing the store reaches
// the engine through the store's change feed.
func NewService(engine *judges.Engine, st *store.Store, opts ...ServiceOption) *Service {
	s := &Service{engine: engine, store: st, log: slog.Default(), admission: newAdmission(DefaultMaxQueued)}
	for _, o := range opts {
		o(s)
	}
	st.OnCalibratorChange(engine.InvalidateCalibrator)
	return s
}

func (s *Service) knownModel(name string) bool {
	_, ok := s.engine.Models().Get(name)
	return ok
}

// Score validates, judges, records and answers one item.
func (s *Service) Score(ctx context.Context, req *pb.ScoreRequest) (*pb.ScoreResponse, error) {
	release, err := s.admission.tryAdmit(1)
	if err != nil {
		return nil, err
	}
	defer release()
	_, resp, err := s.judgeOne(ctx, req)
	return resp, err
}

// judgeOne is the whole path of one item, shared by every RPC that judges:
// validate, judge, record, answer. It returns the judgment and its wire
// form; the error is an RPC error.
func (s *Service) judgeOne(ctx context.Context, req *pb.ScoreRequest) (*judges.Judgment, *pb.ScoreResponse, error) {
	task, fe := validateScore(req, s.knownModel)
	if fe != nil {
		return nil, nil, invalidArgument(fe)
	}
	jd, err := s.judge(ctx, task, req.Judge)
	if err != nil {
		return nil, nil, err
	}
	j := jd.Judgment
	id, err := uuid.NewV7()
	if err != nil {
		return nil, nil, s.internalError(ctx, connect.CodeInternal, "ID_UNAVAILABLE", "no judgment id could be made", err)
	}
	resp := responseOf(j)
	jd.annotateCascade(resp)
	resp.ItemId = req.ItemId
	resp.Tags = req.Tags
	resp.JudgmentId = id.String()
	resp.CreatedAt = timestamppb.Now()
	// The LLM work is paid for: record it even if the caller has gone away,
	// and answer only once the record is durable.
	if err := s.store.SaveJudgment(context.WithoutCancel(ctx), j.Kind, req, resp); err != nil {
		return nil, nil, s.internalError(ctx, connect.CodeUnavailable, "LEDGER_UNAVAILABLE", "the judgment could not be recorded; retry", err)
	}
	recordJudgment(ctx, j.Kind, resp)
	return j, resp, nil
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
		return nil, s.internalError(ctx, connect.CodeInternal, "LEDGER_UNAVAILABLE", "the judgment could not be read", err)
	}
	return &pb.GetJudgmentResponse{Judgment: sresp, Request: sreq}, nil
}

func (s *Service) judgeConfig(c *pb.JudgeConfig) judges.Config {
	cfg := judges.Config{
		Models:                   c.GetModels(),
		Policy:                   c.GetOrderPolicy(),
		Samples:                  int(c.GetSamplesPerOrder()),
		Cache:                    c.GetCache(),
		MinCalibratedProbability: c.GetMinCalibratedProbability(),
		TargetPrecision:          c.GetTargetPrecision(),
	}
	if len(cfg.Models) == 0 {
		cfg.Models = []string{s.engine.Models().Default()}
	}
	if cfg.Samples == 0 {
		cfg.Samples = 1
	}
	if c != nil && c.Temperature != nil {
		cfg.Temperature = *c.Temperature
	}
	return cfg
}

// judgeError maps an engine error to an RPC error. Backend addresses and
// storage errors are logged with the request id, never sent.
func (s *Service) judgeError(ctx context.Context, err error) error {
	var noCal *judges.NoCalibratorError
	switch {
	case errors.As(err, &noCal):
		if noCal.Field == "judge.target_precision" {
			return connect.NewError(connect.CodeFailedPrecondition, fmt.Errorf(
				"judge.target_precision: judge profile %q has no active calibrator, so no threshold can be certified; fit one (FitCalibrator) or leave the target unset", noCal.Profile))
		}
		return connect.NewError(connect.CodeFailedPrecondition, fmt.Errorf(
			"judge.min_calibrated_probability: judge profile %q has no active calibrator, so no verdict has a calibrated probability to compare; fit one (FitCalibrator) or leave the minimum at 0", noCal.Profile))
	case errors.Is(err, judges.ErrUnreachable):
		return s.internalError(ctx, connect.CodeUnavailable, reasonBackendUnreachable,
			"no judge model could be reached; retry later, or ask the operator to check the models' backends", err)
	case errors.Is(err, judges.ErrCalibratorUnavailable):
		return s.internalError(ctx, connect.CodeUnavailable, "CALIBRATOR_UNAVAILABLE", "the calibrator could not be loaded; retry", err)
	case ctx.Err() != nil:
		return connect.NewError(connect.CodeOf(ctx.Err()), ctx.Err())
	case errors.Is(err, context.DeadlineExceeded):
		return connect.NewError(connect.CodeDeadlineExceeded, err)
	case errors.Is(err, context.Canceled):
		return connect.NewError(connect.CodeCanceled, err)
	}
	return s.internalError(ctx, connect.CodeInternal, "INTERNAL", "internal error", err)
}
