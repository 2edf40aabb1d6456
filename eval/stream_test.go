package eval

import (
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

func TestOverrideJudgeLeavesOtherFields(t *testing.T) {
	t.Parallel()
	orig := &pb.JudgeConfig{Models: []string{"m"}, AllowTie: true}
	req := &pb.ScoreRequest{Judge: orig}
	overrideJudge(req, pb.OrderPolicy_ORDER_POLICY_SINGLE, 0)
	if req.Judge.OrderPolicy != pb.OrderPolicy_ORDER_POLICY_SINGLE || !req.Judge.AllowTie || req.Judge.Models[0] != "m" || req.Judge.Cache != 0 {
		t.Fatalf("judge %v", req.Judge)
	}
	if orig.OrderPolicy != 0 {
		t.Fatal("the caller's config was modified in place")
	}
	bare := &pb.ScoreRequest{}
	overrideJudge(bare, 0, 0)
	if bare.Judge != nil {
		t.Fatal("no override should leave no judge config")
	}
}
