// Package stats holds the statistics that reports share: bootstrap
// percentile intervals, paired comparisons with a permutation test, and rank
// correlations that handle the heavy ties of 1-5 rubric scores. It knows
// nothing about judgments; eval, the PersonaGym runner and the metrics RPC
// feed it plain numbers.
package stats
