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
//     binning, isotonic regression, Platt scaling, the constant base rate,
//     Venn-Abers with its interval) behind one Model type; logistic.go: a
//     logistic calibrator over any features.
//   - choose.go: the default method, by held-out log loss (never ECE).
//   - metrics.go, evaluate.go, heldout.go: ECE, MCE, Brier, log loss,
//     AUROC, reliability bins, the risk-coverage curve, and the held-out
//     figures of a report (fold-wise ECE with a bootstrap interval, Brier
//     skill against the identity map and the base rate).
//   - clopper.go, fixed_sequence.go, kept_table.go, selection.go: the
//     high_certainty threshold; rule.go: the paper's fixed rule, the
//     baseline every report shows.
//   - crossfit.go: out-of-fold predictions, so that reported metrics are
//     never computed on probabilities a model fitted on the same items.
//   - choices.go: metrics for K-way choices (role identification).
//
// # A threshold with a valid guarantee
//
// High certainty is certified by fixed-sequence testing (FixedSequence,
// Learn-then-Test): candidate cuts from the highest score down, each tested
// with a one-sided 95% Clopper-Pearson bound against the target precision,
// stopping at the first failure; kept sets under 30 items are skipped, not
// failed. Its guarantee (true precision of the kept set below target with
// probability at most 5%) needs the scores the cut is chosen on to be
// independent of the outcomes it is tested on. FitSelected decides how:
//
//   - A calibrator of the confidence alone (histogram, isotonic, Platt on
//     confidence, base rate, Venn-Abers) runs the sequence on the raw
//     confidence over every outcome. Nothing was fitted to the raw
//     confidence, and a monotone calibrated map keeps the same sets, so no
//     outcome has to be set aside. The cut is served on the raw confidence
//     too, so a map with plateaus cannot widen it.
//   - A calibrator over several features (Platt with position consistency
//     or logprob confidence) is fitted on a seeded half of the outcomes and
//     the sequence runs on its calibrated probabilities over the other
//     half; the served model is the half-fitted one, whose scores are the
//     ones the cut was tested on. Half the data fits the map: the price of
//     a certified cut on a fitted score.
//
// The kept-set table (Selection) is stored with the model, so a server can
// certify a cut for any target a request names, without the outcomes.
//
// Cross-fitted reports score ECE fold by fold (heldout.go): pooled over
// folds, a map that fits one block per fold looks perfectly calibrated,
// because the folds' constants average to the overall accuracy.
package calibration
