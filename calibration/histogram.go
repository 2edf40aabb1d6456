package calibration

// Histogram binning: split [0,1] into B equal-width bins and predict each
// bin's observed accuracy.
//
// Smoothing: a bin with n samples of which k are correct predicts
//
//	(k + histPrior*center) / (n + histPrior)
//
// where center = (i+0.5)/B is the bin's midpoint and histPrior = 2 pseudo-
// samples. That is Laplace's rule of succession with the prior centred on
// what the raw confidence already claims instead of on 1/2: a bin with few
// samples stays near the identity map, a bin with many follows the data, and
// no bin ever predicts exactly 0 or 1 (center is strictly inside (0,1)).
// An empty bin therefore predicts its midpoint, i.e. it falls back to the raw
// confidence -- we chose that over borrowing a neighbour's rate because it
// needs no arbitrary tie-break and is what an unfitted judge would say.

// histPrior is the weight, in pseudo-samples, of the bin-midpoint prior.
const histPrior = 2.0

// fitHistogram returns the smoothed per-bin probabilities and the bin counts.
func fitHistogram(samples []Sample, bins int) ([]float64, []int) {
	counts := make([]int, bins)
	correct := make([]int, bins)
	for _, s := range samples {
		i := binIndex(s.Confidence, bins)
		counts[i]++
		if s.Correct {
			correct[i]++
		}
	}
	probs := make([]float64, bins)
	for i := range probs {
		center := (float64(i) + 0.5) / float64(bins)
		probs[i] = (float64(correct[i]) + histPrior*center) / (float64(counts[i]) + histPrior)
	}
	return probs, counts
}

func predictHistogram(binProbs []float64, conf float64) float64 {
	return binProbs[binIndex(conf, len(binProbs))]
}

// binIndex returns the equal-width bin of p in [0,1]: bin i holds
// [i/bins, (i+1)/bins), and the last bin also holds 1. The edges are
// compared as float64(i)/bins so that a value equal to an edge (0.7 with 20
// bins) lands in the bin that starts there, whatever p*bins rounds to.
// Values outside [0,1] are clamped, NaN goes to bin 0.
func binIndex(p float64, bins int) int {
	p = clamp01(p)
	b := float64(bins)
	i := int(p * b)
	if i >= bins {
		i = bins - 1
	}
	if i > 0 && p < float64(i)/b {
		i--
	}
	if i < bins-1 && p >= float64(i+1)/b {
		i++
	}
	return i
}
