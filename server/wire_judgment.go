package server

import (
	"github.com/personajudge/personajudge/calibration"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
)

// responseOf maps a judgment to the wire. The caller fills in item_id,
// judgment_id and created_at.
func responseOf(j *judges.Judgment) *pb.ScoreResponse {
	resp := &pb.ScoreResponse{
		Status:              j.Status,
		Verdict:             j.Verdict,
		Reason:              j.Reason,
		ReasonCode:          j.Code,
		TieSource:           j.TieSource,
		Distribution:        j.Distribution,
		PositionConsistency: j.Consistency,
		ScoreSpread:         j.ScoreSpread,
		VerbalCertainty:     j.Certainty,
		Votes:               j.Votes,
		FailedModels:        j.FailedModels,
		Usage:               j.Usage,
		JudgeProfile:        j.Profile,
	}
	if c := j.Calibrated; c != nil {
		p := c.Probability
		resp.CalibratedProbability = &p
		resp.CalibratorVersion = c.Version
		resp.HighCertainty = c.HighCertainty
		resp.CalibratedProbabilityLower, resp.CalibratedProbabilityUpper = c.Lower, c.Upper
	}
	if h := j.HighCertainty; h != nil {
		resp.HighCertaintyDetail = &pb.HighCertainty{
			TargetPrecision: h.Target, Threshold: h.Threshold, LowerBound: h.LowerBound,
			Coverage: h.Coverage, Status: h.Status, Basis: string(h.Basis),
		}
	}
	return resp
}

// judgmentOf maps a stored response back to the judgment it records; task
// is the judge task rebuilt from the stored request (nil when it cannot be
// rebuilt), which gives the judgment its kind and item identity.
func judgmentOf(task judges.Task, resp *pb.ScoreResponse) *judges.Judgment {
	j := &judges.Judgment{
		Profile: resp.JudgeProfile,
		Outcome: judges.Outcome{
			Status:       resp.Status,
			Verdict:      resp.Verdict,
			Reason:       resp.Reason,
			Code:         resp.ReasonCode,
			TieSource:    resp.TieSource,
			Distribution: resp.Distribution,
			Consistency:  resp.PositionConsistency,
			ScoreSpread:  resp.ScoreSpread,
		},
		Votes:        resp.Votes,
		FailedModels: resp.FailedModels,
		Usage:        resp.Usage,
		Certainty:    resp.VerbalCertainty,
	}
	if task != nil {
		j.Kind, j.ItemDigest = task.Kind(), task.Digest()
	} else {
		// Without its task the judgment is its own item: it is never taken
		// for a repeat of another.
		j.ItemDigest = resp.JudgmentId
	}
	if resp.CalibratedProbability != nil {
		j.Calibrated = &judges.Calibrated{Probability: *resp.CalibratedProbability, Version: resp.CalibratorVersion, HighCertainty: resp.HighCertainty,
			Lower: resp.CalibratedProbabilityLower, Upper: resp.CalibratedProbabilityUpper}
	}
	if h := resp.HighCertaintyDetail; h != nil {
		j.HighCertainty = &judges.HighCertainty{Target: h.TargetPrecision, Threshold: h.Threshold, LowerBound: h.LowerBound,
			Coverage: h.Coverage, Status: h.Status, Basis: calibration.Basis(h.Basis)}
	}
	return j
}
