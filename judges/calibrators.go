package judges

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/personajudge/personajudge/calibration"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// CalibratorSource gives a profile's active calibrator as persisted: its
// version, the fitted model (calibration.Model encoded by
// calibration.EncodeModel) and its high-certainty threshold, nil when the
// fit found none. version is "" when the profile has no active calibrator.
// The store satisfies it.
type CalibratorSource interface {
	ActiveCalibratorModel(ctx context.Context, profile string) (version string, model []byte, threshold *float64, err error)
}

// ErrCalibratorUnavailable wraps a failure to load a profile's calibrator:
// the judgment was made but cannot be calibrated, so it is not answered.
var ErrCalibratorUnavailable = errors.New("calibrator unavailable")

// NoCalibratorError is returned by Judge when the caller asked for a
// minimum calibrated probability on a profile without an active
// calibrator: there is no probability to compare.
type NoCalibratorError struct{ Profile string }

func (e *NoCalibratorError) Error() string {
	return fmt.Sprintf("profile %q has no active calibrator", e.Profile)
}

// requireCalibrator returns a *NoCalibratorError when the profile has no
// active calibrator that can read a judgment.
func (e *Engine) requireCalibrator(ctx context.Context, profile string) error {
	if e.calibrators == nil {
		return &NoCalibratorError{Profile: profile}
	}
	ac, err := e.calibrators.get(context.WithoutCancel(ctx), profile)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCalibratorUnavailable, err)
	}
	if ac == nil || ac.model.Options.UseLogprob {
		return &NoCalibratorError{Profile: profile}
	}
	return nil
}

// activeCalibrator is a profile's active calibrator, decoded.
type activeCalibrator struct {
	version   string
	model     *calibration.Model
	threshold *float64
}

// calibrators keeps each profile's active calibrator in memory, and
// remembers profiles that have none, so a judgment reads the source for a
// profile once rather than every time. Calibrators change only through
// FitCalibrator, which invalidates the profile's entry.
type calibrators struct {
	src CalibratorSource

	mu      sync.RWMutex
	entries map[string]*activeCalibrator // a nil value: the profile has none
	// gen counts invalidations. A load records it before reading the source
	// and caches its result only if no invalidation happened meanwhile, so a
	// load racing a fit cannot cache the superseded calibrator.
	gen uint64
}

func newCalibrators(src CalibratorSource) *calibrators {
	return &calibrators{src: src, entries: map[string]*activeCalibrator{}}
}

// get returns the profile's active calibrator, nil when it has none.
func (c *calibrators) get(ctx context.Context, profile string) (*activeCalibrator, error) {
	c.mu.RLock()
	e, ok := c.entries[profile]
	gen := c.gen
	c.mu.RUnlock()
	if ok {
		return e, nil
	}
	version, raw, threshold, err := c.src.ActiveCalibratorModel(ctx, profile)
	if err != nil {
		return nil, err
	}
	e = nil
	if version != "" {
		model, err := calibration.DecodeModel(raw)
		if err != nil {
			return nil, fmt.Errorf("calibrator %s %s: %w", profile, version, err)
		}
		e = &activeCalibrator{version: version, model: model, threshold: threshold}
	}
	c.mu.Lock()
	if c.gen == gen {
		c.entries[profile] = e
	}
	c.mu.Unlock()
	return e, nil
}

// invalidate drops a profile's entry after its calibrators changed.
func (c *calibrators) invalidate(profile string) {
	c.mu.Lock()
	delete(c.entries, profile)
	c.gen++
	c.mu.Unlock()
}

// InvalidateCalibrator makes the next judgment of the profile read its
// active calibrator again; call it after the profile's calibrators changed.
func (e *Engine) InvalidateCalibrator(profile string) {
	if e.calibrators != nil {
		e.calibrators.invalidate(profile)
	}
}

// calibrate applies the profile's active calibrator to a VERDICT, and turns
// a verdict below minProbability into ABSTAIN with both numbers in the
// reason. A profile without an active calibrator is left as it is.
func (e *Engine) calibrate(ctx context.Context, j *Judgment, minProbability float64) error {
	if e.calibrators == nil || j.Status != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT {
		return nil
	}
	// The judgment is paid for: finish it even if the caller has gone.
	ac, err := e.calibrators.get(context.WithoutCancel(ctx), j.Profile)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCalibratorUnavailable, err)
	}
	// A logprob calibrator cannot read a judgment (it has no logprob
	// confidence); FitCalibrator never activates one.
	if ac == nil || ac.model.Options.UseLogprob {
		return nil
	}
	// A tie the orders produced reports disagreement, not a judgment the
	// judge was confident of: it gets no calibrated probability.
	if j.TieSource == pb.TieSource_TIE_SOURCE_ORDERS_DISAGREE {
		return nil
	}
	p := ac.model.Predict(j.Sample())
	j.Calibrated = &Calibrated{Probability: p, Version: ac.version, HighCertainty: ac.threshold != nil && p >= *ac.threshold}
	if minProbability > 0 && p < minProbability {
		reason := fmt.Sprintf("calibrated probability %.4f (calibrator %s) is below the requested minimum %g", p, ac.version, minProbability)
		if j.Reason != "" {
			reason += "; " + j.Reason
		}
		j.Status, j.Verdict, j.Reason = pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN, nil, reason
		j.Code, j.TieSource = pb.ReasonCode_REASON_CODE_BELOW_MIN_PROBABILITY, pb.TieSource_TIE_SOURCE_UNSPECIFIED
		j.Calibrated.HighCertainty = false
	}
	return nil
}
