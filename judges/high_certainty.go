package judges

import (
	"fmt"

	"github.com/personajudge/personajudge/calibration"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// HighCertainty is what high_certainty means for one verdict: the target
// precision, the certified threshold on its basis and the evidence behind
// it, or the status that says why none applies.
type HighCertainty struct {
	Target     float64
	Threshold  float64
	LowerBound float64
	Coverage   float64
	Basis      calibration.Basis
	Status     pb.HighCertaintyStatus
}

// certification is a certified (or refused) cut at one target.
type certification struct {
	res calibration.FixedSequenceResult
	err error
}

// certify returns the calibrator's cut at target, 0 meaning the fit's
// target, computed once per (calibrator version, target): the entry lives
// as long as the version stays active.
func (ac *activeCalibrator) certify(target float64) (float64, calibration.FixedSequenceResult, error) {
	sel := ac.model.Selection
	if target == 0 {
		target = sel.Target
	}
	ac.mu.Lock()
	defer ac.mu.Unlock()
	c, ok := ac.certs[target]
	if !ok {
		c.res, c.err = sel.Choose(target)
		if ac.certs == nil {
			ac.certs = map[float64]certification{}
		}
		if len(ac.certs) < maxCachedTargets {
			ac.certs[target] = c
		}
	}
	return target, c.res, c.err
}

// maxCachedTargets bounds one calibrator's cache of certified cuts; targets
// are caller-chosen doubles, and a cut is cheap to recompute.
const maxCachedTargets = 64

// highCertainty decides whether the verdict j is high certainty under the
// active calibrator ac at target (0: the fit's target). A model stored
// before kept-set tables existed keeps its fitted threshold on the
// calibrated probability, at the fit's target only.
func (ac *activeCalibrator) highCertainty(j *Judgment, p, target float64) (*HighCertainty, bool, error) {
	if ac.model.Selection == nil {
		if target != 0 {
			return nil, false, fmt.Errorf("calibrator %s has no kept-set table to certify target %g; fit it again", ac.version, target)
		}
		h := &HighCertainty{Basis: calibration.BasisCalibrated, Status: pb.HighCertaintyStatus_HIGH_CERTAINTY_STATUS_NOT_CERTIFIED}
		if ac.threshold != nil {
			h.Status, h.Threshold = pb.HighCertaintyStatus_HIGH_CERTAINTY_STATUS_CERTIFIED, *ac.threshold
			return h, p >= *ac.threshold, nil
		}
		return h, false, nil
	}
	target, res, err := ac.certify(target)
	if err != nil {
		return nil, false, err
	}
	h := &HighCertainty{Target: target, Basis: ac.model.Selection.Basis, Status: pb.HighCertaintyStatus_HIGH_CERTAINTY_STATUS_NOT_CERTIFIED}
	if !res.Found {
		return h, false, nil
	}
	h.Status = pb.HighCertaintyStatus_HIGH_CERTAINTY_STATUS_CERTIFIED
	h.Threshold, h.LowerBound, h.Coverage = res.Threshold.Threshold, res.LowerBound, res.Coverage
	// The tolerance absorbs the last-bit difference between a certainty
	// mapped from a stored judgment and from an imported record.
	return h, ac.model.Selection.Score(ac.model, j.Sample()) >= res.Threshold.Threshold-1e-9, nil
}
