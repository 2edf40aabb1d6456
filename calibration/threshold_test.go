package calibration

import "testing"

// tiered builds len(tiers) groups of items; each tier is (prob, right, wrong).
func tiered(tiers ...[3]float64) ([]float64, []bool) {
	var ps []float64
	var ys []bool
	for _, tr := range tiers {
		for range int(tr[1]) {
			ps, ys = append(ps, tr[0]), append(ys, true)
		}
		for range int(tr[2]) {
			ps, ys = append(ps, tr[0]), append(ys, false)
		}
	}
	return ps, ys
}

// The search that replaced the "lowest passing" one stops at its first
// failure: 31 items at .99 with 2 mistakes fail .9 (LB .81), so the sequence
// ends there although >= .9 (131 items, 129 right, LB .95) would pass on its
// own. Testing every candidate and keeping the lowest passing one is what
// broke the 95% guarantee.
func TestFixedSequenceStopsAtFirstFailure(t *testing.T) {
	t.Parallel()
	ps, ys := tiered([3]float64{0.99, 29, 2}, [3]float64{0.9, 100, 0}, [3]float64{0.5, 0, 50})
	got, err := FixedSequence{Target: 0.9}.Choose(ps, ys)
	if err != nil {
		t.Fatal(err)
	}
	if got.Found || got.Tested != 1 {
		t.Fatalf("got %+v, want no threshold after one failed test", got)
	}
	lb := ClopperPearsonLower(129, 131, highCertaintyAlpha)
	if lb < 0.9 {
		t.Fatalf("the lower candidate's bound %v would not pass on its own; the test shows nothing", lb)
	}
}
