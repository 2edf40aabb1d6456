// Package cascadeeval measures judge cascades and calibrated panels on
// labelled records without running a judge: the Personalized-Judge
// extract's recorded judgments, aligned by pair_key, and the judge
// simulator's decisions for two simulated models. It holds the logic
// behind `personajudge cascade recorded` and `personajudge cascade sim`.
package cascadeeval
