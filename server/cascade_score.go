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
	"google.golang.org/protobuf/proto"
)

// judged is a judgment and, when a cascade made it, what the cascade did.
type judged struct {
	*judges.Judgment
	cascade     *judges.CascadeJudgment
	cascadeName string
	stages      [][]string
}

// judge runs the request's judge on a validated task: the engine once, or
// the cascade the config names under its fitted policy. The error is an
// RPC error.
func (s *Service) judge(ctx context.Context, task judges.Task, c *pb.JudgeConfig) (judged, error) {
	if len(c.GetCascadeStages()) == 0 {
		j, err := s.engine.Judge(ctx, task, s.judgeConfig(c))
		if err != nil {
			return judged{}, s.judgeError(ctx, err)
		}
		return judged{Judgment: j}, nil
	}
	stages := cascadeModels(c.CascadeStages)
	name := judges.CascadeName(stages, c.CascadeTarget, c.CascadeRisk)
	pol, err := s.cascadePolicy(ctx, name)
	if err != nil {
		return judged{}, err
	}
	cfgs := make([]judges.Config, len(stages))
	for i, models := range stages {
		stage := proto.CloneOf(c)
		stage.Models = models
		cfgs[i] = s.judgeConfig(stage)
	}
	cj, err := s.engine.JudgeCascade(ctx, task, cfgs, pol)
	if err != nil {
		return judged{}, s.judgeError(ctx, err)
	}
	return judged{Judgment: cj.Judgment, cascade: cj, cascadeName: name, stages: stages}, nil
}

// cascadePolicy loads the policy in force for a cascade.
func (s *Service) cascadePolicy(ctx context.Context, name string) (judges.CascadePolicy, error) {
	var pol judges.CascadePolicy
	raw, err := s.store.CascadePolicy(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return pol, connect.NewError(connect.CodeFailedPrecondition, fmt.Errorf(
			"judge.cascade_stages: cascade %q has no fitted policy; fit one (CascadeService.FitCascade) for these stages, target and risk", name))
	}
	if err != nil {
		return pol, s.internalError(ctx, connect.CodeUnavailable, "STORE_UNAVAILABLE", "the cascade policy could not be read; retry", err)
	}
	if err := json.Unmarshal(raw, &pol); err != nil {
		return pol, s.internalError(ctx, connect.CodeInternal, "CASCADE_POLICY_UNREADABLE", "the cascade policy could not be read", err)
	}
	return pol, nil
}

// annotateCascade adds to a response which stage answered and what every
// stage that ran did.
func (j judged) annotateCascade(resp *pb.ScoreResponse) {
	if j.cascade == nil {
		return
	}
	resp.Cascade = j.cascadeName
	if j.cascade.Stage >= 0 {
		resp.CascadeStage = proto.Int32(int32(j.cascade.Stage))
		resp.CascadeStageModels = j.stages[j.cascade.Stage]
	}
	for i, tr := range j.cascade.Trace {
		t := &pb.CascadeStageTrace{
			Stage:       int32(i),
			Models:      j.stages[i],
			Verdict:     tr.Judgment.Status == pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT,
			Probability: tr.Probability,
			Answered:    tr.Answered,
		}
		if u := tr.Judgment.Usage; u != nil {
			t.LlmCalls = u.LlmCalls
		}
		resp.CascadeTrace = append(resp.CascadeTrace, t)
	}
}
