package calibration

import "math"

// The verbal-certainty scale lives here and nowhere else: a judge states
// certainty c in 1..100, callers see it normalized to 0..1 as (c-1)/99, and
// the identity map turns a normalized certainty on a K-way choice into a
// probability of being right. Every package converts through these.

// IdentityProbability maps a raw certainty c in [1,100] on a K-way choice to
// p = 1/K + (1-1/K)*(c-1)/99.
//
// This is the documented map used before any calibrator is fitted for a judge
// profile: certainty 1 means "no better than chance" (1/K) and 100 means
// "certainly right" (1). c is clamped into [1,100] (NaN counts as 1, the
// least committal reading); k < 2 is treated as 2 because a choice needs at
// least two options.
func IdentityProbability(certainty float64, k int) float64 {
	return IdentityFromNormalized(NormalizeCertainty(certainty), k)
}

// IdentityFromNormalized is IdentityProbability for a certainty already
// normalized to 0..1 (clamped; NaN counts as 0).
func IdentityFromNormalized(normalized float64, k int) float64 {
	if k < 2 {
		k = 2
	}
	chance := 1 / float64(k)
	return chance + (1-chance)*clamp01(normalized)
}

// NormalizeCertainty maps raw certainty 1..100 to 0..1 as (c-1)/99, clamped.
// NaN maps to 0. This is the verbal_certainty reported to callers.
func NormalizeCertainty(certainty float64) float64 {
	if math.IsNaN(certainty) {
		return 0
	}
	return clamp((certainty-1)/99, 0, 1)
}

// StatedCertainty is the inverse of NormalizeCertainty: a normalized
// certainty in 0..1 (clamped; NaN counts as 0) as the whole number 1..100 a
// judge would state. Simulators use it to speak the judges' scale.
func StatedCertainty(normalized float64) int {
	return 1 + int(math.Round(99*clamp01(normalized)))
}

// clamp returns x limited to [lo, hi].
func clamp(x, lo, hi float64) float64 {
	return math.Max(lo, math.Min(hi, x))
}

// clamp01 limits x to [0,1] and maps NaN to 0 (the most conservative
// confidence), for prediction paths that cannot return an error.
func clamp01(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return clamp(x, 0, 1)
}
