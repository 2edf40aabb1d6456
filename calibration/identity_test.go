package calibration

import (
	"math"
	"testing"
)

func TestIdentityProbability(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		c    float64
		k    int
		want float64
	}{
		{"chance on binary", 1, 2, 0.5},
		{"certain on binary", 100, 2, 1},
		// 1/4 + (3/4)*(49/99) = 0.25 + 0.371212... = 0.621212...
		{"c=50 on 4-way", 50, 4, 0.25 + 0.75*49.0/99},
		{"chance on 10-way", 1, 10, 0.1},
		// 1/3 + (2/3)*(100-1)/99 = 1/3 + 2/3 = 1
		{"certain on 3-way", 100, 3, 1},
		{"c clamped below", -5, 2, 0.5},
		{"c clamped above", 250, 2, 1},
		{"NaN reads as chance", math.NaN(), 2, 0.5},
		{"k<2 treated as 2", 100, 1, 1},
		// k=0 -> k=2: 0.5 + 0.5*(50.5-1)/99 = 0.5 + 0.25 = 0.75
		{"k=0 treated as 2", 50.5, 0, 0.75},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			near(t, "p", IdentityProbability(tc.c, tc.k), tc.want, 1e-12)
		})
	}
}

func TestNormalizeCertainty(t *testing.T) {
	t.Parallel()
	tests := []struct{ c, want float64 }{
		{1, 0},
		{100, 1},
		{50.5, 0.5}, // (50.5-1)/99 = 49.5/99
		{0, 0},
		{101, 1},
		{math.NaN(), 0},
		{12, 11.0 / 99},
	}
	for _, tc := range tests {
		near(t, "NormalizeCertainty", NormalizeCertainty(tc.c), tc.want, 1e-12)
	}
}

// StatedCertainty inverts NormalizeCertainty on every whole certainty.
func TestStatedCertaintyInvertsNormalize(t *testing.T) {
	t.Parallel()
	for c := 1; c <= 100; c++ {
		if got := StatedCertainty(NormalizeCertainty(float64(c))); got != c {
			t.Fatalf("StatedCertainty(NormalizeCertainty(%d)) = %d", c, got)
		}
	}
	for _, tc := range []struct {
		v    float64
		want int
	}{{-1, 1}, {2, 100}, {math.NaN(), 1}} {
		if got := StatedCertainty(tc.v); got != tc.want {
			t.Errorf("StatedCertainty(%v) = %d, want %d", tc.v, got, tc.want)
		}
	}
}
