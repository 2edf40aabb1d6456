package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Comparison is the paired difference B - A over units both were measured
// on (the same questions, the same personas): its mean with a bootstrap
// interval, and a two-sided p-value for "no difference" from a sign-flip
// permutation test.
type Comparison struct {
	Diff   Estimate `json:"diff"`
	PValue float64  `json:"p_value"`
	// Better counts units where B > A, Worse where B < A; ties are neither.
	Better int `json:"better"`
	Worse  int `json:"worse"`
}

// permutationStream keeps the permutation draws apart from the bootstrap's.
const permutationStream = 0x5851f42d4c957f2d

// Paired compares b with a, unit by unit; a and b must have equal lengths.
//
// The p-value flips the sign of each paired difference at random (valid under
// the null that A and B are exchangeable within a unit) o.Samples times and
// counts resamples whose |mean| is at least the observed one, with the
// observed arrangement counted once, so p is never 0: (1+k)/(1+samples).
// With 2,000 samples the smallest reportable p is about 0.0005.
func Paired(a, b []float64, o BootstrapOptions) (Comparison, error) {
	if len(a) != len(b) {
		return Comparison{}, fmt.Errorf("paired comparison: %d values for A but %d for B", len(a), len(b))
	}
	o = o.norm()
	d := make([]float64, len(a))
	var c Comparison
	for i := range a {
		d[i] = b[i] - a[i]
		switch {
		case d[i] > 0:
			c.Better++
		case d[i] < 0:
			c.Worse++
		}
	}
	c.Diff = MeanEstimate(d, o)
	c.PValue = math.NaN()
	if len(d) == 0 {
		return c, nil
	}
	observed := math.Abs(c.Diff.Value)
	rng := rand.New(rand.NewPCG(o.Seed, permutationStream))
	// A difference equal to the observed one up to rounding counts as "as
	// extreme"; otherwise summation order could make an identical
	// arrangement look smaller.
	tol := 1e-12 * math.Max(1, observed)
	extreme := 0
	for range o.Samples {
		var s float64
		for _, v := range d {
			if rng.Uint64()&1 == 1 {
				s -= v
			} else {
				s += v
			}
		}
		if math.Abs(s/float64(len(d))) >= observed-tol {
			extreme++
		}
	}
	c.PValue = float64(1+extreme) / float64(1+o.Samples)
	return c, nil
}
