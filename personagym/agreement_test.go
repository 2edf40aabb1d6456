package personagym

import (
	"math"
	"testing"
)

func TestAgree(t *testing.T) {
	t.Parallel()
	judge := []float64{1, 2.5, 3, 4, 5}
	human := []float64{1, 2, 4, 4, 4}
	a := Agree(judge, human)
	// Right: 1=1, |2.5-2|=0.5, |3-4|=1 (wrong), 4=4, |5-4|=1 (wrong).
	if a.N != 5 || a.Right != 0.6 {
		t.Errorf("n %d, right %v; want 5, 0.6", a.N, a.Right)
	}
	if math.Abs(a.MAE-0.5) > 1e-9 {
		t.Errorf("MAE %v, want 0.5", a.MAE)
	}
	if a.Spearman == nil || a.Kendall == nil || !(*a.Spearman > 0.5 && *a.Kendall > 0.4) {
		t.Errorf("Spearman %v, Kendall %v: want clearly positive", a.Spearman, a.Kendall)
	}
	if c := Agree([]float64{3, 3}, []float64{2, 4}); c.Spearman != nil || c.Kendall != nil {
		t.Errorf("a constant judge: correlations %v %v, want undefined", c.Spearman, c.Kendall)
	}
	if z := Agree(nil, nil); z.N != 0 {
		t.Errorf("empty: %+v", z)
	}
}
