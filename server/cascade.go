package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
	"github.com/personajudge/personajudge/store"
)

// CascadeService fits judge cascades from imported outcomes with item keys.
type CascadeService struct {
	svc   *Service
	store *store.Store
}

// Cascades returns the CascadeService sharing this service's store and
// models.
func (s *Service) Cascades() *CascadeService { return &CascadeService{svc: s, store: s.store} }

// FitCascade aligns every stage's keyed outcomes by item key, fits the
// policy (judges.FitCascade), stores it under the cascade's name (Score
// uses it from the next call) and reports what it does on those items.
func (c *CascadeService) FitCascade(ctx context.Context, req *pb.FitCascadeRequest) (*pb.FitCascadeResponse, error) {
	if fe := validateCascade("stages", req.Stages, "target", req.Target, "risk", req.Risk, c.svc.knownModel); fe != nil {
		return nil, invalidArgument(fe)
	}
	stages := cascadeModels(req.Stages)
	name := judges.CascadeName(stages, req.Target, req.Risk)
	items, counts, err := c.alignedItems(ctx, stages)
	if err != nil {
		return nil, c.svc.internalError(ctx, connect.CodeInternal, "STORE_UNAVAILABLE", "reading outcomes failed", err)
	}
	if len(items) < judges.DefaultMinStageOutcomes {
		weakest := 0
		for s, n := range counts {
			if n < counts[weakest] {
				weakest = s
			}
		}
		return nil, connect.NewError(connect.CodeFailedPrecondition, fmt.Errorf(
			"stages[%d]: stage %q has %d keyed outcomes (%d items aligned across all %d stages), a cascade fit needs at least %d aligned items; import outcomes with item_key and model",
			weakest, judges.StageName(stages[weakest]), counts[weakest], len(items), len(stages), judges.DefaultMinStageOutcomes))
	}
	spec := judges.CascadeSpec{Target: req.Target, Risk: req.Risk, FitCalibrators: req.FitCalibrators}
	for _, m := range stages {
		spec.Stages = append(spec.Stages, judges.StageName(m))
	}
	pol, err := judges.FitCascade(items, spec)
	var few *judges.InsufficientOutcomesError
	switch {
	case errors.As(err, &few):
		return nil, connect.NewError(connect.CodeFailedPrecondition, fmt.Errorf(
			"stages[%d]: stage %q has %d outcomes to fit its calibrator on, needs at least %d", few.Stage, few.Name, few.Have, few.Need))
	case errors.Is(err, judges.ErrInvalidCascade):
		return nil, connect.NewError(connect.CodeInvalidArgument, err)
	case err != nil:
		return nil, c.svc.internalError(ctx, connect.CodeInternal, "CASCADE_FIT_FAILED", "the cascade could not be fitted", err)
	}
	raw, err := json.Marshal(pol)
	if err != nil {
		return nil, c.svc.internalError(ctx, connect.CodeInternal, "CASCADE_FIT_FAILED", "the cascade could not be stored", err)
	}
	if err := c.store.SaveCascadePolicy(ctx, name, raw); err != nil {
		return nil, c.svc.internalError(ctx, connect.CodeUnavailable, "STORE_UNAVAILABLE", "the cascade could not be stored; retry", err)
	}
	return cascadeResponse(name, stages, pol, pol.Evaluate(items)), nil
}

// alignedItems reads each stage's keyed outcomes and keeps the item keys
// every stage has, in key order; counts is each stage's number of keys.
// Where a key holds records of several profiles for a stage, the first
// profile in name order stands.
func (c *CascadeService) alignedItems(ctx context.Context, stages [][]string) ([]judges.CascadeItem, []int, error) {
	byStage := make([]map[string]judges.StageRecord, len(stages))
	counts := make([]int, len(stages))
	var order []string
	for s, models := range stages {
		rows, err := c.store.KeyedOutcomes(ctx, judges.StageName(models))
		if err != nil {
			return nil, nil, err
		}
		byStage[s] = map[string]judges.StageRecord{}
		for _, r := range rows {
			if _, dup := byStage[s][r.Key]; dup {
				continue
			}
			byStage[s][r.Key] = judges.ImportedStageRecord(r.Certainty, r.Correct, int(r.Options), r.Consistency, len(models))
			if s == 0 {
				order = append(order, r.Key)
			}
		}
		counts[s] = len(byStage[s])
	}
	var items []judges.CascadeItem
	for _, key := range order {
		it := judges.CascadeItem{Key: key}
		for s := range stages {
			rec, ok := byStage[s][key]
			if !ok {
				break
			}
			it.Stages = append(it.Stages, rec)
		}
		if len(it.Stages) == len(stages) {
			items = append(items, it)
		}
	}
	return items, counts, nil
}

func cascadeResponse(name string, stages [][]string, pol judges.CascadePolicy, r judges.CascadeReport) *pb.FitCascadeResponse {
	out := &pb.FitCascadeResponse{
		Cascade:                name,
		Certified:              pol.Found,
		Threshold:              pol.Threshold,
		LowerBound:             pol.LowerBound,
		Items:                  int32(r.Items),
		FitItems:               int32(pol.FitItems),
		TestItems:              int32(pol.TestItems),
		Coverage:               r.Coverage,
		Agreement:              r.Agreement,
		CallsPerItem:           r.CallsPerItem,
		TokensPerItem:          r.TokensPerItem,
		LastStageCallsPerItem:  r.LastStageCallsPerItem,
		LastStageTokensPerItem: r.LastStageTokensPerItem,
		LastStageAgreement:     r.LastStageAgreement,
	}
	for i, st := range r.Stages {
		out.Stages = append(out.Stages, &pb.CascadeStageShare{
			Models: stages[i], Reached: int32(st.Reached), Answered: int32(st.Answered),
			Share: st.Share, ReachedShare: st.ReachedShare, Agreement: st.Agreement,
		})
	}
	return out
}
