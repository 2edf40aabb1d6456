package server

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"connectrpc.com/connect"
	"github.com/personajudge/personajudge/calibration"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/store"
)

// activeCalibrator is what Score needs of a profile's active calibrator.
type activeCalibrator struct {
	version   string
	model     *calibration.Model
	threshold *float64 // nil: no threshold met the target
}

// calibratorCache keeps each profile's active calibrator in memory, and
// remembers profiles that have none, so Score reads SQLite for a profile
// once rather than on every call. Calibrators change only through this
// process (FitCalibrator), which invalidates the profile's entry.
type calibratorCache struct {
	store *store.Store

	mu      sync.RWMutex
	entries map[string]*activeCalibrator // a nil value: the profile has none
	// gen counts invalidations. A load records it before reading the store
	// and caches its result only if no invalidation happened meanwhile, so a
	// load racing a fit cannot cache the superseded calibrator.
	gen uint64

	loads atomic.Int64 // store reads, observed by tests
}

func newCalibratorCache(st *store.Store) *calibratorCache {
	return &calibratorCache{store: st, entries: map[string]*activeCalibrator{}}
}

// get returns the profile's active calibrator, nil when it has none.
func (c *calibratorCache) get(ctx context.Context, profile string) (*activeCalibrator, error) {
	c.mu.RLock()
	e, ok := c.entries[profile]
	gen := c.gen
	c.mu.RUnlock()
	if ok {
		return e, nil
	}
	c.loads.Add(1)
	sc, err := c.store.ActiveCalibrator(ctx, profile)
	switch {
	case errors.Is(err, store.ErrNotFound):
		e = nil
	case err != nil:
		return nil, err
	default:
		e = &activeCalibrator{version: sc.Version, model: sc.Model, threshold: sc.Threshold}
	}
	c.mu.Lock()
	if c.gen == gen {
		c.entries[profile] = e
	}
	c.mu.Unlock()
	return e, nil
}

// invalidate drops a profile's entry after its calibrators changed.
func (c *calibratorCache) invalidate(profile string) {
	c.mu.Lock()
	delete(c.entries, profile)
	c.gen++
	c.mu.Unlock()
}

// applyCalibrator sets calibrated_probability, calibrator_version and
// high_certainty on a VERDICT from the profile's active calibrator, and
// turns a verdict below the request's min_calibrated_probability into
// ABSTAIN with both numbers in the reason. Profiles without an active
// calibrator are left as they are, as the contract says.
func (s *Service) applyCalibrator(ctx context.Context, cfg *pb.JudgeConfig, resp *pb.ScoreResponse) error {
	if resp.Status != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT {
		return nil
	}
	// The judgment is paid for: finish it even if the caller has gone.
	ac, err := s.calibrators.get(context.WithoutCancel(ctx), resp.JudgeProfile)
	if err != nil {
		s.log.Error("load calibrator", "profile", resp.JudgeProfile, "err", err)
		return connect.NewError(connect.CodeUnavailable, errors.New("the calibrator could not be loaded; retry"))
	}
	// A logprob calibrator cannot read a ScoreResponse (it has no logprob
	// confidence); FitCalibrator never activates one.
	if ac == nil || ac.model.Options.UseLogprob {
		return nil
	}
	p := ac.model.Predict(store.JudgmentSample(resp).Sample)
	resp.CalibratedProbability = &p
	resp.CalibratorVersion = ac.version
	resp.HighCertainty = ac.threshold != nil && p >= *ac.threshold
	if min := cfg.GetMinCalibratedProbability(); min > 0 && p < min {
		reason := fmt.Sprintf("calibrated probability %.4f (calibrator %s) is below the requested minimum %g", p, ac.version, min)
		if resp.Reason != "" {
			reason += "; " + resp.Reason
		}
		resp.Status, resp.Verdict, resp.HighCertainty, resp.Reason = pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN, nil, false, reason
	}
	return nil
}
