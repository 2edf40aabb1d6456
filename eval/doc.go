// Package eval streams a labelled JSON-lines dataset through a running
// PersonaJudge service's ScoreStream and summarizes the results.
//
// A run reads the dataset (dataset.go), appends one line per result to a
// results file as they arrive (results.go, writer.go), and prints a summary
// (summary.go). The results file is also the run's memory: running again
// over the same files judges only the items it lacks (resume.go), so a
// crash, a broken stream or an interrupt costs at most the results not yet
// synced to disk. With Config.RecordOutcomes, the labels of labelled
// verdicts are then sent to RecordOutcomes for fitting calibrators
// (outcomes.go).
//
// The package talks to the service over the network only; starting one,
// in this process or elsewhere, is the caller's business.
package eval
