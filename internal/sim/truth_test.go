package sim

import (
	"math"
	"testing"
)

func TestBetterIgnoresOrderAndSurroundingSpace(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		p, q, a, b string
	}{
		{"plain", "A vegan runner.", "Dinner?", "Steak.", "Lentil curry."},
		{"similar responses", "A nurse.", "Plan?", "Start small.", "Start smaller."},
		{"unicode", "Une infirmière.", "Dîner ?", "Crêpes.", "Soupe."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ab := Better(tc.p, tc.q, tc.a, tc.b)
			if ba := Better(tc.p, tc.q, tc.b, tc.a); ba != 1-ab {
				t.Fatalf("Better(a,b)=%d but Better(b,a)=%d: the truth depends on order", ab, ba)
			}
			if sp := Better(" "+tc.p+"\n", tc.q, tc.a+" ", "\t"+tc.b); sp != ab {
				t.Fatalf("surrounding space changed the truth: %d vs %d", sp, ab)
			}
			if ItemKey(tc.p, tc.q, tc.a, tc.b) != ItemKey(tc.p, tc.q, tc.b, tc.a) {
				t.Fatal("ItemKey depends on order")
			}
			if ItemKey(tc.p, tc.q, tc.a, tc.b) == ItemKey(tc.p+"!", tc.q, tc.a, tc.b) {
				t.Fatal("ItemKey ignores the persona")
			}
		})
	}
}

// Over many items the better response is A about half the time, so a judge
// that always answers A scores about chance.
func TestBetterIsBalanced(t *testing.T) {
	t.Parallel()
	g := NewGenerator(7)
	n, firstBetter := 4000, 0
	for range n {
		p := g.Next().Request.GetPreference()
		if Better(p.Persona, p.Query, p.ResponseA, p.ResponseB) == 0 {
			firstBetter++
		}
	}
	if share := float64(firstBetter) / float64(n); math.Abs(share-0.5) > 0.04 {
		t.Fatalf("response A is better in %.3f of items, want about 0.5", share)
	}
}

// Item difficulty averages to the configured accuracy and stays on its
// side of chance, inside 0..1.
func TestDifficultyAveragesAccuracy(t *testing.T) {
	t.Parallel()
	g := NewGenerator(3)
	var keys []Key
	for range 3000 {
		p := g.Next().Request.GetPreference()
		keys = append(keys, ItemKey(p.Persona, p.Query, p.ResponseA, p.ResponseB))
	}
	for _, acc := range []float64{0, 0.3, 0.5, 0.6, 0.85, 1} {
		var sum, lo, hi float64 = 0, 1, 0
		for _, k := range keys {
			p := difficulty(k, acc)
			sum += p
			lo, hi = min(lo, p), max(hi, p)
		}
		mean := sum / float64(len(keys))
		if math.Abs(mean-acc) > 0.01 {
			t.Errorf("accuracy %v: mean difficulty %.4f", acc, mean)
		}
		if lo < 0 || hi > 1 || (acc > 0.5 && lo < 0.5) || (acc < 0.5 && hi > 0.5) {
			t.Errorf("accuracy %v: difficulty spans %.3f..%.3f", acc, lo, hi)
		}
	}
}
