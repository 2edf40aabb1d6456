package calibration

import (
	"errors"
	"math"
	"testing"
)

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

func TestHighCertaintyThreshold(t *testing.T) {
	t.Parallel()
	// Tiers: .99 -> 50 right; .9 -> 48 right, 2 wrong; .6 -> 50 right, 50 wrong.
	// Kept sets and one-sided 95% Clopper-Pearson bounds (see clopper_test.go):
	//   >= .99: 50/50   LB = .05^(1/50) = .941845
	//   >= .9:  98/100  LB = .938381
	//   >= .6: 148/200  LB = .684001
	ps, ys := tiered([3]float64{0.99, 50, 0}, [3]float64{0.9, 48, 2}, [3]float64{0.6, 50, 50})

	tests := []struct {
		name   string
		target float64
		want   Threshold
	}{
		// both .99 and .9 qualify -> the lowest, .9, keeping 100 of 200
		{"target .93", 0.93, Threshold{true, 0.9, 0.5, 0.98, 0.938380799603959, 100}},
		// only .99 qualifies (.938 < .94 <= .9418)
		{"target .94", 0.94, Threshold{true, 0.99, 0.25, 1, 0.941844920883028, 50}},
		// nothing reaches .95
		{"target .95", 0.95, Threshold{}},
		// .6 qualifies too at .6
		{"target .6", 0.6, Threshold{true, 0.6, 1, 0.74, 0.684000522240921, 200}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := HighCertaintyThreshold(ps, ys, tc.target)
			if err != nil {
				t.Fatal(err)
			}
			if got.Found != tc.want.Found || got.Kept != tc.want.Kept || got.Threshold != tc.want.Threshold {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			near(t, "Coverage", got.Coverage, tc.want.Coverage, 1e-12)
			near(t, "Precision", got.Precision, tc.want.Precision, 1e-12)
			near(t, "LowerBound", got.LowerBound, tc.want.LowerBound, 1e-9)
		})
	}
}

func TestHighCertaintyThresholdNotMonotone(t *testing.T) {
	t.Parallel()
	// One confident mistake at .99 sinks that threshold (0/1 -> LB 0), but
	// >= .9 keeps 100 right of 101 (LB .953893) and qualifies for .9: the
	// lowest qualifying threshold is returned even though a higher one fails.
	// 50 wrong items at .5 make >= .5 fail (100/151).
	ps, ys := tiered([3]float64{0.99, 0, 1}, [3]float64{0.9, 100, 0}, [3]float64{0.5, 0, 50})
	got, err := HighCertaintyThreshold(ps, ys, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Found || got.Threshold != 0.9 || got.Kept != 101 {
		t.Fatalf("got %+v, want threshold .9 keeping 101", got)
	}
	near(t, "Coverage", got.Coverage, 101.0/151, 1e-12)
	near(t, "LowerBound", got.LowerBound, 0.953892650075111, 1e-9)
}

func TestHighCertaintyThresholdErrors(t *testing.T) {
	t.Parallel()
	ps, ys := tiered([3]float64{0.9, 10, 0})
	for _, target := range []float64{0.5, 1, 0.3, 1.2, math.NaN()} {
		if _, err := HighCertaintyThreshold(ps, ys, target); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("target %v: err = %v, want ErrInvalidInput", target, err)
		}
	}
	if _, err := HighCertaintyThreshold(ps, ys[:3], 0.9); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("length mismatch: err = %v, want ErrInvalidInput", err)
	}
	if _, err := HighCertaintyThreshold([]float64{math.NaN()}, []bool{true}, 0.9); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("NaN prob: err = %v, want ErrInvalidInput", err)
	}
	got, err := HighCertaintyThreshold(nil, nil, 0.9)
	if err != nil || got.Found {
		t.Errorf("empty: got %+v, %v; want not found, no error", got, err)
	}
}
