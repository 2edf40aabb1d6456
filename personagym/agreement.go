package personagym

import (
	"math"

	"github.com/personajudge/personajudge/judges"
	"github.com/personajudge/personajudge/stats"
)

// Agreement compares judge scores with human scores of the same items, as
// PersonaGym validates its evaluators: the rate of judge scores within
// judges.ScoreTolerance of the human's (the one definition of "right"),
// mean absolute error, and Spearman and Kendall tau-b rank correlations.
type Agreement struct {
	N     int     `json:"n"`
	Right float64 `json:"rightWithinTolerance"`
	MAE   float64 `json:"mae"`
	// Spearman and Kendall are nil when undefined (a constant side).
	Spearman *float64 `json:"spearman,omitempty"`
	Kendall  *float64 `json:"kendallTauB,omitempty"`
}

// Agree reports agreement over paired scores; judge and human have equal
// lengths.
func Agree(judge, human []float64) Agreement {
	a := Agreement{N: len(judge)}
	if a.N == 0 {
		return a
	}
	right := 0
	for i := range judge {
		if judges.ScoreCorrect(judge[i], human[i]) {
			right++
		}
	}
	a.Right = float64(right) / float64(a.N)
	a.MAE = stats.MAE(judge, human)
	a.Spearman = defined(stats.Spearman(judge, human))
	a.Kendall = defined(stats.KendallTauB(judge, human))
	return a
}

func defined(x float64) *float64 {
	if math.IsNaN(x) {
		return nil
	}
	return &x
}
