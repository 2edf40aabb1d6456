package calibration

// Histogram binning: split [0,1] into B equal-width bins and predict each
// bin's observed accuracy.
//
// Smoothing: a bin with n samples of which k are correct predicts
//
//	(k + Prior*base) / (n + Prior)
//
// where base is the training base rate and Prior = 10 pseudo-outcomes (see
// isotonic.go): a bin with few samples stays near the base rate, a bin with
// many follows the data, and n all-correct outcomes predict at most
// 1 - Prior*(1-base)/(n+Prior). An empty bin predicts the base rate: with
// no outcome at that confidence, the judge's overall accuracy is the best
// evidence there is, and it needs no arbitrary choice of neighbour.

// fitHistogram returns the smoothed per-bin probabilities (prior
// pseudo-outcomes at the base rate; Fit passes Prior) and the bin counts.
func fitHistogram(samples []Sample, bins int, prior float64) ([]float64, []int) {
	counts := make([]int, bins)
	correct := make([]int, bins)
	for _, s := range samples {
		i := binIndex(s.Confidence, bins)
		counts[i]++
		if s.Correct {
			correct[i]++
		}
	}
	base := baseRate(samples)
	probs := make([]float64, bins)
	for i := range probs {
		probs[i] = shrink(float64(correct[i]), float64(counts[i]), prior, base)
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
