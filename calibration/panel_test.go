package calibration

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// panelData: member 0 is right 80% of the time with informative
// certainty, member 1 is a coin flip that states high certainty.
func panelData(n int, seed uint64) ([][]PanelVote, []bool) {
	r := rand.New(rand.NewPCG(seed, 2))
	votes, first := make([][]PanelVote, n), make([]bool, n)
	for i := range votes {
		first[i] = r.IntN(2) == 0
		right := r.Float64() < 0.8
		good := PanelVote{Answered: true, First: first[i] == right, Certainty: 0.2}
		if right {
			good.Certainty = 0.8
		}
		noise := PanelVote{Answered: true, First: r.IntN(2) == 0, Certainty: 0.98}
		votes[i] = []PanelVote{good, noise}
	}
	return votes, first
}

func TestComparePanelBeatsPlainMean(t *testing.T) {
	t.Parallel()
	fv, ff := panelData(2000, 1)
	tv, tf := panelData(2000, 2)
	rep, err := ComparePanel([]string{"good", "noise"}, fv, ff, tv, tf)
	if err != nil {
		t.Fatal(err)
	}
	if rep.BestMember != 0 {
		t.Errorf("best member %d, want 0", rep.BestMember)
	}
	if rep.Panel.LogLoss >= rep.PlainMean.LogLoss || rep.Panel.Brier >= rep.PlainMean.Brier {
		t.Errorf("panel %+v should beat the plain mean %+v", rep.Panel, rep.PlainMean)
	}
	if rep.Panel.LogLoss > rep.Members[0].LogLoss+0.02 {
		t.Errorf("panel %+v should match its best member %+v", rep.Panel, rep.Members[0])
	}
	if rep.Panel.Accuracy < 0.75 {
		t.Errorf("panel accuracy %v", rep.Panel.Accuracy)
	}
}

func TestPanelFeaturesAndMean(t *testing.T) {
	t.Parallel()
	vs := []PanelVote{{Answered: true, First: true, Certainty: 1}, {Answered: true, First: false, Certainty: 1}, {}}
	x := PanelFeatures(vs)
	if len(x) != 6 || x[0] != 1 || x[2] != -1 || x[4] != 0 || x[5] != 0 || x[1] <= 0 || x[3] >= 0 {
		t.Errorf("features %v", x)
	}
	if m := PlainMean(vs); m != 0.5 {
		t.Errorf("opposed certain votes and a silent one average %v, want 0.5", m)
	}
}

func TestComparePanelBadInput(t *testing.T) {
	t.Parallel()
	vs, f := panelData(10, 3)
	for name, err := range map[string]error{
		"no members":   func() error { _, err := ComparePanel(nil, vs, f, vs, f); return err }(),
		"vote count":   func() error { _, err := ComparePanel([]string{"a"}, vs, f, vs, f); return err }(),
		"labels count": func() error { _, err := ComparePanel([]string{"a", "b"}, vs, f, vs, f[:3]); return err }(),
	} {
		if !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: %v, want ErrInvalidInput", name, err)
		}
	}
}
