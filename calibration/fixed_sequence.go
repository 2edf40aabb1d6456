package calibration

import (
	"fmt"
	"math"
)

// FixedSequence chooses a high-certainty threshold with a valid guarantee
// (Learn-then-Test with fixed-sequence testing): candidate thresholds are
// the distinct scores, tested from the highest downward; at each, the null
// "precision of the kept set (score >= t) is below Target" is rejected when
// the one-sided Clopper-Pearson lower bound at level 1-Alpha reaches Target.
// Testing stops at the first candidate that is not rejected, and the lowest
// rejected candidate is returned. Because the order of the tests is fixed
// before the outcomes are looked at (it depends on the scores only) and the
// sequence stops at its first failure, the chance that the returned threshold
// has true precision below Target is at most Alpha, with no correction for
// the number of candidates.
//
// A candidate whose kept set is smaller than MinKept is skipped, neither
// rejected nor failed: a handful of items can never clear a bound near 0.9,
// so testing them would end every sequence at its first, tiny step. MinKept
// must be fixed before the data are seen (it is a parameter, not tuned).
//
// The guarantee holds for the population the outcomes were drawn from and
// only if the scores were not fitted on those same outcomes: pass raw scores
// that nothing was fitted to (verbal certainty), or calibrated scores from a
// map fitted on other data.
type FixedSequence struct {
	Target  float64 // precision to certify, in (0.5, 1)
	Alpha   float64 // risk, in (0, 0.5); 0.05 unless set
	MinKept int     // smallest kept set that is tested; DefaultMinKept unless set
}

// DefaultMinKept is the smallest kept set tested unless told otherwise. At 30
// items a perfect record certifies precision 0.905 at 95% (Clopper-Pearson),
// so targets up to 0.9 can pass on the first tested set.
const DefaultMinKept = 30

// FixedSequenceResult is the chosen threshold, or Found false when even the
// first tested candidate failed (or none was large enough to test).
type FixedSequenceResult struct {
	Threshold
	// Tested is how many candidates were tested (rejections plus the one
	// failure that stopped the sequence); Skipped counts those below MinKept.
	Tested  int `json:"tested"`
	Skipped int `json:"skipped"`
}

func (f FixedSequence) norm() (FixedSequence, error) {
	if !(f.Target > 0.5 && f.Target < 1) {
		return f, fmt.Errorf("%w: target precision %v is not in (0.5, 1)", ErrInvalidInput, f.Target)
	}
	if f.Alpha == 0 {
		f.Alpha = highCertaintyAlpha
	}
	if !(f.Alpha > 0 && f.Alpha < 0.5) {
		return f, fmt.Errorf("%w: risk %v is not in (0, 0.5)", ErrInvalidInput, f.Alpha)
	}
	if f.MinKept <= 0 {
		f.MinKept = DefaultMinKept
	}
	return f, nil
}

// Choose runs the sequence over scores and their outcomes.
func (f FixedSequence) Choose(scores []float64, correct []bool) (FixedSequenceResult, error) {
	f, err := f.norm()
	if err != nil {
		return FixedSequenceResult{}, err
	}
	if len(scores) != len(correct) {
		return FixedSequenceResult{}, fmt.Errorf("%w: %d scores but %d labels", ErrInvalidInput, len(scores), len(correct))
	}
	for i, s := range scores {
		if math.IsNaN(s) {
			return FixedSequenceResult{}, fmt.Errorf("%w: score %d is NaN", ErrInvalidInput, i)
		}
	}
	return f.run(KeptTable(scores, correct), len(scores)), nil
}

// ChooseTable runs the sequence over a stored kept-set table (KeptTable)
// of n items; the result is the one Choose gives on the items themselves.
func (f FixedSequence) ChooseTable(rows []KeptRow, n int) (FixedSequenceResult, error) {
	f, err := f.norm()
	if err != nil {
		return FixedSequenceResult{}, err
	}
	if err := validateTable(rows, n); err != nil {
		return FixedSequenceResult{}, err
	}
	return f.run(rows, n), nil
}

// run is the sequence itself, on a validated table of n items.
func (f FixedSequence) run(rows []KeptRow, n int) FixedSequenceResult {
	var res FixedSequenceResult
	for _, s := range rows { // descending threshold
		if s.Kept < f.MinKept {
			res.Skipped++
			continue
		}
		res.Tested++
		lb := ClopperPearsonLower(s.Correct, s.Kept, f.Alpha)
		if lb < f.Target {
			break
		}
		res.Threshold = Threshold{
			Found:      true,
			Threshold:  s.Score,
			Coverage:   float64(s.Kept) / float64(n),
			Precision:  float64(s.Correct) / float64(s.Kept),
			LowerBound: lb,
			Kept:       s.Kept,
		}
	}
	return res
}
