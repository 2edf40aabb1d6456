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
// minimum calibrated probability or a target precision on a profile
// without an active calibrator: there is no probability to compare and no
// threshold to certify. Field names the request field that asked
// ("judge.min_calibrated_probability" or "judge.target_precision").
type NoCalibratorError struct{ Profile, Field string }

func (e *NoCalibratorError) Error() string {
	return fmt.Sprintf("profile %q has no active calibrator", e.Profile)
}

// requireCalibrator returns a *NoCalibratorError when the profile has no
// active calibrator that can read a judgment.
func (e *Engine) requireCalibrator(ctx context.Context, profile, field string) error {
	if e.calibrators == nil {
		return &NoCalibratorError{Profile: profile, Field: field}
	}
	ac, err := e.calibrators.get(context.WithoutCancel(ctx), profile)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCalibratorUnavailable, err)
	}
	if ac == nil || ac.model.Options.UseLogprob {
		return &NoCalibratorError{Profile: profile, Field: field}
	}
	return nil
}

// activeCalibrator is a profile's active calibrator, decoded.
type activeCalibrator struct {
	version   string
	model     *calibration.Model
	threshold *float64 // the fit's threshold, for models without a kept-set table

	mu    sync.Mutex
	certs map[float64]certification // certified cuts by target (high_certainty.go)
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

// calibrate applies the profile's active calibrator to a VERDICT: the
// calibrated probability (with its interval where the method gives one)
// and high certainty at the caller's target (0: the fit's), and turns a
// verdict below minProbability into ABSTAIN with both numbers in the
// reason. A verdict of a profile without an active calibrator is left
// uncalibrated and says so in its high-certainty status.
func (e *Engine) calibrate(ctx context.Context, j *Judgment, cfg Config) error {
	if j.Status != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT {
		return nil
	}
	noCalibrator := &HighCertainty{Status: pb.HighCertaintyStatus_HIGH_CERTAINTY_STATUS_NO_CALIBRATOR}
	if e.calibrators == nil {
		j.HighCertainty = noCalibrator
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
		j.HighCertainty = noCalibrator
		return nil
	}
	// A tie the orders produced reports disagreement, not a judgment the
	// judge was confident of: it gets no calibrated probability and is
	// never high certainty.
	if j.TieSource == pb.TieSource_TIE_SOURCE_ORDERS_DISAGREE {
		j.HighCertainty = &HighCertainty{Status: pb.HighCertaintyStatus_HIGH_CERTAINTY_STATUS_NOT_CERTIFIED}
		return nil
	}
	s := j.Sample()
	p := ac.model.Predict(s)
	j.Calibrated = &Calibrated{Probability: p, Version: ac.version}
	if lo, hi, ok := ac.model.PredictInterval(s); ok {
		j.Calibrated.Lower, j.Calibrated.Upper = &lo, &hi
	}
	h, high, err := ac.highCertainty(j, p, cfg.TargetPrecision)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCalibratorUnavailable, err)
	}
	j.HighCertainty, j.Calibrated.HighCertainty = h, high
	if min := cfg.MinCalibratedProbability; min > 0 && p < min {
		reason := fmt.Sprintf("calibrated probability %.4f (calibrator %s) is below the requested minimum %g", p, ac.version, min)
		if j.Reason != "" {
			reason += "; " + j.Reason
		}
		j.Status, j.Verdict, j.Reason = pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN, nil, reason
		j.Code, j.TieSource = pb.ReasonCode_REASON_CODE_BELOW_MIN_PROBABILITY, pb.TieSource_TIE_SOURCE_UNSPECIFIED
		j.Calibrated.HighCertainty = false
	}
	return nil
}
