package calibration

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// block is n items at one score, k of them right.
type block struct {
	score float64
	n, k  int
}

func blocks(bs ...block) ([]float64, []bool) {
	var s []float64
	var c []bool
	for _, b := range bs {
		for i := range b.n {
			s, c = append(s, b.score), append(c, i < b.k)
		}
	}
	return s, c
}

func TestFixedSequenceChoose(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		blocks        []block
		fs            FixedSequence
		found         bool
		threshold     float64
		tested, skips int
	}{
		{
			// 100 at 0.99 (99 right) passes; adding 100 at 0.9 (90 right)
			// gives 189/200, whose bound (about 0.91) still passes; the
			// 0.6 block drags the set far below and stops the sequence.
			name:   "stops at the first failure",
			fs:     FixedSequence{Target: 0.9},
			blocks: []block{{0.99, 100, 99}, {0.9, 100, 90}, {0.6, 200, 100}},
			found:  true, threshold: 0.9, tested: 3,
		},
		{
			// A lower candidate that would pass again after a failure is
			// never reached: that is what keeps the risk at alpha.
			name:   "no second chance after a failure",
			fs:     FixedSequence{Target: 0.9},
			blocks: []block{{0.99, 50, 40}, {0.95, 1000, 1000}},
			found:  false, tested: 1,
		},
		{
			// Ten perfect items at the top are below MinKept: skipped, not
			// failed, and the sequence goes on to the larger set.
			name:   "small sets are skipped",
			fs:     FixedSequence{Target: 0.8},
			blocks: []block{{1, 10, 10}, {0.9, 200, 190}},
			found:  true, threshold: 0.9, tested: 1, skips: 1,
		},
		{name: "nothing to test", fs: FixedSequence{Target: 0.9}, found: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			scores, correct := blocks(tc.blocks...)
			got, err := tc.fs.Choose(scores, correct)
			if err != nil {
				t.Fatal(err)
			}
			if got.Found != tc.found || (tc.found && got.Threshold.Threshold != tc.threshold) || got.Tested != tc.tested || got.Skipped != tc.skips {
				t.Fatalf("got %+v, want found=%v threshold=%v tested=%d skipped=%d", got, tc.found, tc.threshold, tc.tested, tc.skips)
			}
			if got.Found && got.LowerBound < tc.fs.Target {
				t.Fatalf("certified a set whose bound %v is below the target", got.LowerBound)
			}
		})
	}
}

func TestFixedSequenceRejectsBadParameters(t *testing.T) {
	t.Parallel()
	for _, fs := range []FixedSequence{{Target: 0.5}, {Target: 1}, {Target: 0.9, Alpha: 0.5}, {Target: 0.9, Alpha: -0.1}} {
		if _, err := fs.Choose(nil, nil); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%+v: err = %v, want ErrInvalidInput", fs, err)
		}
	}
	if _, err := (FixedSequence{Target: 0.9}).Choose([]float64{1}, nil); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("length mismatch: err = %v", err)
	}
}

// Over many draws from a population whose precision at every threshold is
// known, the chosen threshold's true precision falls below the target in at
// most about alpha of them.
func TestFixedSequenceRiskIsControlled(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(21, 22))
	// Scores 0.5..1 in steps of 0.05; an item at score s is right with
	// probability s, so a kept set {score >= t} has true precision equal to
	// the mean score above t.
	levels := []float64{0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1}
	truePrecision := func(t float64) float64 {
		var sum float64
		var n int
		for _, l := range levels {
			if l >= t {
				sum += l
				n++
			}
		}
		return sum / float64(n)
	}
	fs := FixedSequence{Target: 0.85, Alpha: 0.1}
	const reps = 300
	failures := 0
	for range reps {
		scores, correct := make([]float64, 400), make([]bool, 400)
		for i := range scores {
			scores[i] = levels[rng.IntN(len(levels))]
			correct[i] = rng.Float64() < scores[i]
		}
		got, err := fs.Choose(scores, correct)
		if err != nil {
			t.Fatal(err)
		}
		if got.Found && truePrecision(got.Threshold.Threshold) < fs.Target {
			failures++
		}
	}
	// At alpha 0.1, Binomial(300, 0.1) exceeds 45 with probability < 0.5%.
	if failures > 45 {
		t.Fatalf("true precision below target in %d of %d draws", failures, reps)
	}
}
