package judges

import (
	"math"
	"testing"
)

func TestCascadeName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		stages       [][]string
		target, risk float64
		want         string
	}{
		{[][]string{{"cheap"}, {"strong"}}, 0.9, 0.05, "cheap > strong @0.9/0.05"},
		{[][]string{{"a", "b"}, {"c"}}, 0.85, 0.1, "a+b > c @0.85/0.1"},
		{[][]string{{"solo"}}, 0.8, 0.2, "solo @0.8/0.2"},
	}
	for _, tt := range tests {
		if got := CascadeName(tt.stages, tt.target, tt.risk); got != tt.want {
			t.Errorf("CascadeName(%v, %v, %v) = %q, want %q", tt.stages, tt.target, tt.risk, got, tt.want)
		}
	}
}

// An imported record reads as the identity map would read a judgment of
// the same certainty, and costs one call per model of its stage.
func TestImportedStageRecord(t *testing.T) {
	t.Parallel()
	cons := 0.5
	r := ImportedStageRecord(100, true, 2, &cons, 2)
	if p := IdentityStageCalibrator().Predict(r.Features); math.Abs(p-1) > 0.01 || r.Features[1] != 0.5 || r.Calls != 2 || !r.Verdict || !r.Correct {
		t.Fatalf("record %+v, probability %v", r, p)
	}
	r = ImportedStageRecord(1, false, 4, nil, 1)
	if p := IdentityStageCalibrator().Predict(r.Features); math.Abs(p-0.25) > 0.01 || r.Features[1] != 1 {
		t.Fatalf("record %+v, probability %v", r, p)
	}
}
