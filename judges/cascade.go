package judges

import (
	"context"
	"fmt"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// CascadeJudgment is an item judged by a cascade: the judgment that stands
// (the answering stage's, or ABSTAIN needing review after the last stage)
// and what every stage that ran said.
type CascadeJudgment struct {
	*Judgment
	// Stage is the index of the stage that answered, -1 when none did.
	Stage int
	// StageName names it ("" when none did).
	StageName string
	// Trace is every stage that ran, in order, with the probability the
	// policy read from it (0 when it gave no verdict).
	Trace []StageTrace
}

// StageTrace is one stage's part in a cascade judgment.
type StageTrace struct {
	Name        string
	Judgment    *Judgment
	Probability float64
	Answered    bool
}

// JudgeCascade judges the item with each stage's configuration in order
// (each through Judge, so caching, position fairness and failure handling
// are the engine's), and keeps the first verdict whose probability under
// the policy reaches its threshold. After the last stage the judgment is
// ABSTAIN with REASON_CODE_NEEDS_REVIEW; its usage adds up every stage.
func (e *Engine) JudgeCascade(ctx context.Context, t Task, stages []Config, pol CascadePolicy) (*CascadeJudgment, error) {
	if len(stages) == 0 || len(stages) != len(pol.Stages) {
		return nil, fmt.Errorf("%w: stages: %d configured, the policy has %d", ErrInvalidCascade, len(stages), len(pol.Stages))
	}
	out := &CascadeJudgment{Stage: -1}
	usage := &pb.Usage{}
	for i, cfg := range stages {
		j, err := e.Judge(ctx, t, cfg)
		if err != nil {
			return nil, err
		}
		addUsage(usage, j.Usage)
		tr := StageTrace{Name: pol.Stages[i].Name, Judgment: j}
		if j.Status == pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT {
			tr.Probability = pol.Stages[i].Calibrator.Predict(StageFeatures(j.Certainty, j.Options(), j.Consistency))
			tr.Answered = pol.StageAnswers(tr.Probability)
		}
		out.Trace = append(out.Trace, tr)
		if tr.Answered {
			out.Judgment, out.Stage, out.StageName = j, i, tr.Name
			break
		}
	}
	if out.Stage < 0 {
		last := out.Trace[len(out.Trace)-1].Judgment
		review := *last
		review.Outcome = Outcome{
			Status:       pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN,
			Code:         pb.ReasonCode_REASON_CODE_NEEDS_REVIEW,
			Reason:       needsReviewReason(pol),
			Distribution: last.Distribution,
			Consistency:  last.Consistency,
		}
		review.Calibrated = nil
		out.Judgment = &review
	}
	final := *out.Judgment
	final.Usage = usage
	out.Judgment = &final
	return out, nil
}

func needsReviewReason(pol CascadePolicy) string {
	if !pol.Found {
		return "needs review: the cascade has no certified threshold"
	}
	return fmt.Sprintf("needs review: no stage reached probability %.2f (cascade certified for agreement %g at risk %g)", pol.Threshold, pol.Target, pol.Risk)
}

func addUsage(sum, u *pb.Usage) {
	if u == nil {
		return
	}
	sum.PromptTokens += u.PromptTokens
	sum.CompletionTokens += u.CompletionTokens
	sum.LlmCalls += u.LlmCalls
	sum.CacheHits += u.CacheHits
}
