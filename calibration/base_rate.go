package calibration

// The constant base-rate map predicts the share of correct training
// outcomes whatever the judge said. It cannot tell right from wrong (AUROC
// 0.5), so it is never a good calibrator of an informative judge; it is in
// the candidate set because on a near-chance judge every fitted map learns
// noise from a few hundred outcomes and loses to it on held-out Brier score
// and log loss. ChooseMethod picks it exactly when that happens, so a
// profile's calibrator never does clearly worse than knowing only the
// judge's accuracy.

// fitBaseRate is the clamped base rate.
func fitBaseRate(samples []Sample) float64 {
	return clamp(baseRate(samples), probEps, 1-probEps)
}
