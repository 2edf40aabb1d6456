package judges

import (
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// Every labelled judgment left out of calibration is counted under its
// reason; verdicts, stated ties included, are not counted.
func TestCountExcluded(t *testing.T) {
	t.Parallel()
	j := func(s pb.JudgmentStatus, tie pb.TieSource) LabelledJudgment {
		return LabelledJudgment{Judgment: &Judgment{Outcome: Outcome{Status: s, TieSource: tie}}}
	}
	const (
		verdict  = pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT
		abstain  = pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN
		judgeErr = pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR
		none     = pb.TieSource_TIE_SOURCE_UNSPECIFIED
		orders   = pb.TieSource_TIE_SOURCE_ORDERS_DISAGREE
		stated   = pb.TieSource_TIE_SOURCE_STATED
	)
	got := CountExcluded([]LabelledJudgment{
		j(verdict, none), j(verdict, stated), j(verdict, orders), j(verdict, orders),
		j(abstain, none), j(abstain, none), j(abstain, none), j(judgeErr, none),
	})
	if want := (ExcludedCounts{Abstained: 3, DisagreementTies: 2, Other: 1}); got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}
