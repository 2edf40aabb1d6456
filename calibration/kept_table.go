package calibration

import "fmt"

// KeptRow is the kept set at one distinct score: the Kept items whose score
// is >= Score, Correct of them right. A table of rows in descending Score is
// all that a fixed-sequence test reads, so a stored table lets a server
// certify a threshold for any target precision at request time without the
// outcomes themselves.
type KeptRow struct {
	Score   float64 `json:"score"`
	Kept    int     `json:"kept"`
	Correct int     `json:"correct"`
}

// KeptTable is the table of kept sets over scores and their outcomes, one
// row per distinct score, descending. NaN scores are never kept. It panics
// on mismatched lengths, like the metrics.
func KeptTable(scores []float64, correct []bool) []KeptRow {
	sets := keptSets(scores, correct)
	out := make([]KeptRow, len(sets))
	for i, s := range sets {
		out[i] = KeptRow{Score: s.threshold, Kept: s.kept, Correct: s.correct}
	}
	return out
}

// validateTable checks that rows could have come from KeptTable over n
// items: scores strictly descending, kept strictly growing up to n, correct
// never falling and never above kept.
func validateTable(rows []KeptRow, n int) error {
	for i, r := range rows {
		bad := r.Kept < 1 || r.Kept > n || r.Correct < 0 || r.Correct > r.Kept
		if i > 0 {
			p := rows[i-1]
			bad = bad || !(r.Score < p.Score) || r.Kept <= p.Kept || r.Correct < p.Correct
		}
		if bad {
			return fmt.Errorf("%w: kept-set table row %d is inconsistent", ErrInvalidInput, i)
		}
	}
	return nil
}
