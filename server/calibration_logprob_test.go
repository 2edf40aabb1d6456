package server

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"testing"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
	"google.golang.org/protobuf/proto"
)

// TestFitLogprobOnLabelledJudgments: votes carry the backend's answer-token
// probability through Score and the ledger, and labelled stored judgments
// fit a Platt calibrator with use_logprob; judgments from a backend without
// logprobs cannot.
func TestFitLogprobOnLabelledJudgments(t *testing.T) {
	t.Parallel()
	for _, withLogprobs := range []bool{true, false} {
		t.Run(fmt.Sprint("logprobs=", withLogprobs), func(t *testing.T) {
			t.Parallel()
			var permille atomic.Int64 // the answer token's probability x 1000
			h := newHarness(t, func(r *llmfake.Request, n int64) llmfake.Reply {
				rep := fakejudge.ContentPreference("GOOD", 80)(r, n)
				if withLogprobs {
					rep.Tokens = llmfake.AnswerTokens(rep.Content, "choice", float64(permille.Load())/1000)
				}
				return rep
			})
			cal := calClient(h)
			ctx := t.Context()
			var outs []*pb.Outcome
			for i := range 60 {
				p := int64(600 + 350*(i%2)) // alternate 0.6 and 0.95
				permille.Store(p)
				item := prefItem(1)
				item.GetPreference().Persona += fmt.Sprintf(" (reader %d)", i)
				resp, err := h.connect.Score(ctx, item)
				if err != nil || resp.Status != verdict {
					t.Fatalf("score %d: %v, %v", i, resp, err)
				}
				for _, v := range resp.Votes {
					if got := v.AnswerProbability; (got != nil) != withLogprobs || got != nil && math.Abs(*got-float64(p)/1000) > 1e-9 {
						t.Fatalf("score %d: vote answer probability %v, want %v (set: %v)", i, got, float64(p)/1000, withLogprobs)
					}
				}
				// Right 9 in 10 at 0.95, half the time at 0.6.
				truth := int32(1)
				if p == 950 && i%20 == 1 || p == 600 && i%4 == 0 {
					truth = 0
				}
				outs = append(outs, &pb.Outcome{JudgmentId: resp.JudgmentId, Label: &pb.Label{Choice: proto.Int32(truth)}})
			}
			if _, err := cal.RecordOutcomes(ctx, &pb.RecordOutcomesRequest{Outcomes: outs}); err != nil {
				t.Fatal(err)
			}
			_, err := cal.FitCalibrator(ctx, &pb.FitCalibratorRequest{Profile: prefProfile,
				Method: pb.CalibrationMethod_CALIBRATION_METHOD_PLATT, UseLogprob: true, DoNotActivate: true})
			if withLogprobs {
				if err != nil {
					t.Fatalf("fit with logprobs: %v", err)
				}
				return
			}
			var ce *connect.Error
			if !errors.As(err, &ce) || ce.Code() != connect.CodeFailedPrecondition || !strings.Contains(ce.Message(), "use_logprob") {
				t.Fatalf("fit without logprobs: %v, want FailedPrecondition naming use_logprob", err)
			}
		})
	}
}
