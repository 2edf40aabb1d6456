// Package calibration turns a judge's stated certainty into a probability of
// being right, and measures how good such probabilities are.
//
// It is pure math: no I/O, no clocks, no global state. Everything is
// deterministic so that a calibrator fitted twice on the same outcomes is the
// same calibrator, and a stored calibrator (JSON) predicts exactly what the
// fitted one did.
//
// The pieces, one file each:
//
//   - identity.go: the documented certainty -> probability map used before
//     any calibrator is fitted.
//   - method.go, sample.go, model.go: the fitted calibrators (histogram
//     binning, isotonic regression, Platt scaling) behind one Model type.
//   - metrics.go, evaluate.go: ECE, MCE, Brier, log loss, AUROC,
//     reliability bins and the risk-coverage curve.
//   - clopper.go, threshold.go: the high_certainty threshold with a
//     Clopper-Pearson guarantee on precision.
//   - crossfit.go: out-of-fold predictions, so that metrics and thresholds
//     are never computed on probabilities a model fitted on the same items.
//   - choices.go: metrics for K-way choices (role identification).
package calibration
