package calibration

import (
	"testing"
)

func TestEvaluateTiny(t *testing.T) {
	t.Parallel()
	m := Evaluate(tinyProbs, tinyCorrect)
	if m.N != 6 {
		t.Fatalf("N = %d, want 6", m.N)
	}
	near(t, "Accuracy", m.Accuracy, 4.0/6, 1e-12)
	near(t, "ECE10", m.ECE10, 0.55/6, 1e-12)
	// 20 bins: {.1} .1; {.4} |1-.4|=.6; {.45} .45; {.8} .2; {.9} .1; {1} 0
	// ECE20 = (.1+.6+.45+.2+.1+0)/6 = 1.45/6
	near(t, "ECE20", m.ECE20, 1.45/6, 1e-12)
	near(t, "MCE10", m.MCE10, 0.2, 1e-12)
	near(t, "Brier", m.Brier, 0.10375, 1e-12)
	near(t, "AUROC", m.AUROC, 0.875, 1e-12)

	if len(m.Bins) != 10 {
		t.Fatalf("len(Bins) = %d, want 10", len(m.Bins))
	}
	b4 := m.Bins[4] // {.4, .45}
	if b4.Count != 2 || b4.Lo != 0.4 || b4.Hi != 0.5 {
		t.Errorf("Bins[4] = %+v", b4)
	}
	near(t, "Bins[4].MeanConfidence", b4.MeanConfidence, 0.425, 1e-12)
	near(t, "Bins[4].Accuracy", b4.Accuracy, 0.5, 1e-12)
	if m.Bins[0].Count != 0 || m.Bins[9].Count != 2 {
		t.Errorf("Bins[0].Count=%d Bins[9].Count=%d, want 0 and 2", m.Bins[0].Count, m.Bins[9].Count)
	}

	// Keep p >= threshold, thresholds descending:
	//  1.0: {1}            cov 1/6 risk 0
	//  0.9: {1,.9}         cov 2/6 risk 0
	//  0.8: +.8            cov 3/6 risk 0
	//  .45: +.45 (wrong)   cov 4/6 risk 1/4
	//  .4:  +.4            cov 5/6 risk 1/5
	//  .1:  +.1 (wrong)    cov 1   risk 2/6
	want := []RiskCoveragePoint{
		{1, 1.0 / 6, 0}, {0.9, 2.0 / 6, 0}, {0.8, 3.0 / 6, 0},
		{0.45, 4.0 / 6, 0.25}, {0.4, 5.0 / 6, 0.2}, {0.1, 1, 2.0 / 6},
	}
	if len(m.RiskCoverage) != len(want) {
		t.Fatalf("RiskCoverage has %d points, want %d: %+v", len(m.RiskCoverage), len(want), m.RiskCoverage)
	}
	for i, w := range want {
		g := m.RiskCoverage[i]
		near(t, "Threshold", g.Threshold, w.Threshold, 0)
		near(t, "Coverage", g.Coverage, w.Coverage, 1e-12)
		near(t, "Risk", g.Risk, w.Risk, 1e-12)
	}
}

func TestRiskCoverageTies(t *testing.T) {
	t.Parallel()
	// Two items at .8 (one wrong) and one at .5: two points, not three.
	rc := RiskCoverage([]float64{0.8, 0.5, 0.8}, []bool{true, true, false})
	want := []RiskCoveragePoint{{0.8, 2.0 / 3, 0.5}, {0.5, 1, 1.0 / 3}}
	if len(rc) != 2 {
		t.Fatalf("got %+v, want %+v", rc, want)
	}
	for i := range want {
		near(t, "Coverage", rc[i].Coverage, want[i].Coverage, 1e-12)
		near(t, "Risk", rc[i].Risk, want[i].Risk, 1e-12)
	}
}

func TestRiskCoverageCap(t *testing.T) {
	t.Parallel()
	// 1000 distinct probabilities -> at most 101 points, descending
	// thresholds, first point the top value, last point full coverage.
	n := 1000
	probs := make([]float64, n)
	correct := make([]bool, n)
	for i := range probs {
		probs[i] = float64(i) / float64(n)
		correct[i] = i%3 != 0
	}
	rc := RiskCoverage(probs, correct)
	if len(rc) > 101 || len(rc) < 90 {
		t.Fatalf("%d points, want between 90 and 101", len(rc))
	}
	if rc[0].Threshold != 0.999 {
		t.Errorf("first threshold %v, want 0.999", rc[0].Threshold)
	}
	if last := rc[len(rc)-1]; last.Coverage != 1 || last.Threshold != 0 {
		t.Errorf("last point %+v, want threshold 0 coverage 1", last)
	}
	for i := 1; i < len(rc); i++ {
		if rc[i].Threshold >= rc[i-1].Threshold || rc[i].Coverage <= rc[i-1].Coverage {
			t.Fatalf("points %d,%d not strictly descending threshold / ascending coverage: %+v %+v", i-1, i, rc[i-1], rc[i])
		}
	}
	// Evenly spread: the point for q = 0.5 keeps 500 items (threshold .5).
	found := false
	for _, p := range rc {
		if p.Coverage == 0.5 {
			found = p.Threshold == 0.5
		}
	}
	if !found {
		t.Error("no point at coverage 0.5 with threshold 0.5")
	}
}

func TestEvaluateEmpty(t *testing.T) {
	t.Parallel()
	m := Evaluate(nil, nil)
	if m.N != 0 || m.ECE10 != 0 || m.Brier != 0 || m.AUROC != 0.5 || len(m.Bins) != 10 || len(m.RiskCoverage) != 0 {
		t.Errorf("Evaluate(empty) = %+v", m)
	}
}
