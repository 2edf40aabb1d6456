// Package metrics computes the figures each research setting is judged by
// from judged results and their labels: agreement with labels (accuracy,
// Cohen's kappa, the high-certainty subset, tie rates), position bias, the
// PersonaEval ranking figures and the PersonaGym correlations with human
// scores, every one with the n it rests on and a bootstrap interval. The
// eval summary and the metrics RPC both call it, so a figure means the same
// in a CI report and over the ledger. What counts as right is the judges'
// rule (judges.VerdictCorrect); this package only counts.
package metrics
