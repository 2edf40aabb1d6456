package judges

import pb "github.com/personajudge/personajudge/gen/personajudge/v1"

// ExcludedCounts says which labelled judgments CalibrationSamples leaves
// out and why, so that a report's coverage is read against every judgment:
// abstentions (no verdict to be right about), ties produced by disagreeing
// orders (never calibration evidence), and the rest without a verdict
// (judge errors).
type ExcludedCounts struct {
	Abstained, DisagreementTies, Other int
}

// CountExcluded counts the labelled judgments without calibration evidence.
func CountExcluded(labelled []LabelledJudgment) ExcludedCounts {
	var c ExcludedCounts
	for _, l := range labelled {
		switch j := l.Judgment; {
		case j.Status == pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN:
			c.Abstained++
		case j.Status != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT:
			c.Other++
		case j.TieSource == pb.TieSource_TIE_SOURCE_ORDERS_DISAGREE:
			c.DisagreementTies++
		}
	}
	return c
}
