package stats

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Estimate is a statistic with its percentile bootstrap interval. N is the
// number of units resampled (items, personas, questions), which a reader
// needs to judge the interval.
type Estimate struct {
	Value float64 `json:"value"`
	Lower float64 `json:"lower"`
	Upper float64 `json:"upper"`
	Level float64 `json:"level"`
	N     int     `json:"n"`
}

// DefaultSamples and DefaultLevel are what reports use unless told otherwise:
// 2,000 resamples put the 2.5% and 97.5% quantiles within a few thousandths
// of their limits for the sample sizes we see.
const (
	DefaultSamples = 2000
	DefaultLevel   = 0.95
)

// BootstrapOptions fix the resampling; the zero value means the defaults
// and seed 0, so a report is reproducible unless the caller varies the seed.
type BootstrapOptions struct {
	Seed    uint64
	Samples int
	Level   float64
}

func (o BootstrapOptions) norm() BootstrapOptions {
	if o.Samples <= 0 {
		o.Samples = DefaultSamples
	}
	if !(o.Level > 0 && o.Level < 1) {
		o.Level = DefaultLevel
	}
	return o
}

// bootstrapStream separates this package's random stream from others seeded
// with the same user seed.
const bootstrapStream = 0x9e3779b97f4a7c15

// Bootstrap estimates stat over n units and its percentile interval: stat is
// called once with the identity index (the point estimate) and then once per
// resample with n indices drawn with replacement. A resample whose statistic
// is NaN (for example a correlation of a constant resample) is dropped; with
// fewer than half the resamples left the interval is NaN, not a guess.
func Bootstrap(n int, stat func(idx []int) float64, o BootstrapOptions) Estimate {
	o = o.norm()
	est := Estimate{Level: o.Level, N: n, Value: math.NaN(), Lower: math.NaN(), Upper: math.NaN()}
	if n == 0 {
		return est
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	est.Value = stat(idx)
	rng := rand.New(rand.NewPCG(o.Seed, bootstrapStream))
	vals := make([]float64, 0, o.Samples)
	for range o.Samples {
		for i := range idx {
			idx[i] = rng.IntN(n)
		}
		if v := stat(idx); !math.IsNaN(v) {
			vals = append(vals, v)
		}
	}
	if len(vals) < o.Samples/2 {
		return est
	}
	slices.Sort(vals)
	alpha := (1 - o.Level) / 2
	est.Lower, est.Upper = Quantile(vals, alpha), Quantile(vals, 1-alpha)
	return est
}

// MeanEstimate is the mean of xs with its bootstrap interval.
func MeanEstimate(xs []float64, o BootstrapOptions) Estimate {
	return Bootstrap(len(xs), func(idx []int) float64 {
		var s float64
		for _, i := range idx {
			s += xs[i]
		}
		return s / float64(len(idx))
	}, o)
}

// ProportionEstimate is k of the n outcomes being true, with its interval.
func ProportionEstimate(hits []bool, o BootstrapOptions) Estimate {
	return Bootstrap(len(hits), func(idx []int) float64 {
		k := 0
		for _, i := range idx {
			if hits[i] {
				k++
			}
		}
		return float64(k) / float64(len(idx))
	}, o)
}

// Quantile is the p-quantile of sorted xs, interpolating linearly between
// order statistics (the common "type 7" definition). It is NaN for no data.
func Quantile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	pos := p * float64(len(sorted)-1)
	i := int(pos)
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (pos-float64(i))*(sorted[i+1]-sorted[i])
}
