package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Latency distributions.
const (
	LatencyFixed     = "fixed"
	LatencyUniform   = "uniform"
	LatencyLognormal = "lognormal"
)

// Latency is a distribution of call latencies. The zero value is no
// latency at all, which is what tests want.
type Latency struct {
	// Dist is fixed (Base), uniform (Base..Max) or lognormal (median Base,
	// shape Sigma); empty means fixed.
	Dist string
	// Base is the fixed latency, the uniform minimum or the lognormal median.
	Base time.Duration
	// Max is the uniform maximum.
	Max time.Duration
	// Sigma is the lognormal shape: the standard deviation of ln(latency).
	// 0.5 puts the 95th percentile at about 2.3 times the median.
	Sigma float64
}

// Validate checks the distribution's parameters.
func (l Latency) Validate() error {
	if l.Base < 0 {
		return fmt.Errorf("latency must not be negative, got %v", l.Base)
	}
	switch l.Dist {
	case "", LatencyFixed:
	case LatencyUniform:
		if l.Max < l.Base {
			return fmt.Errorf("uniform latency: max %v is below min %v", l.Max, l.Base)
		}
	case LatencyLognormal:
		if !(l.Sigma >= 0 && l.Sigma <= 5) {
			return fmt.Errorf("lognormal latency: sigma must be within 0..5, got %v", l.Sigma)
		}
	default:
		return fmt.Errorf("latency distribution must be fixed, uniform or lognormal, not %q", l.Dist)
	}
	return nil
}

// Sample draws one latency.
func (l Latency) Sample(r *rand.Rand) time.Duration {
	switch l.Dist {
	case LatencyUniform:
		return l.Base + time.Duration(r.Float64()*float64(l.Max-l.Base))
	case LatencyLognormal:
		return time.Duration(float64(l.Base) * math.Exp(l.Sigma*r.NormFloat64()))
	}
	return l.Base
}
