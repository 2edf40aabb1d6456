// Package realdata measures the service's calibration and high-certainty
// filtering on recorded judge outcomes, end to end through its RPCs: each
// profile's outcomes are split in two by a salted hash, one half is
// imported (ImportOutcomes) and fitted (FitCalibrator, method chosen by
// held-out log loss), and every item of the other half is sent through
// Score to a judge that answers what was recorded; the calibrated
// probability and high_certainty read back are scored against the recorded
// correctness. The judge backend is the caller's: tests run it against an
// in-process fake, never a real model.
package realdata
