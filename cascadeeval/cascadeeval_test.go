package cascadeeval

import (
	"fmt"
	"strings"
	"testing"

	"github.com/personajudge/personajudge/importers"
)

func TestSimSplitsMeetTheTarget(t *testing.T) {
	t.Parallel()
	models := DefaultSimModels()
	items, err := SimItems(models, 1200)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Splits(items, []string{"cheap", "strong"}, 0.85, 0.05, 5, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Certified != 5 || res.Met != 5 {
		t.Errorf("certified %d, met %d of 5 splits", res.Certified, res.Met)
	}
	if res.Coverage < 0.7 || res.LastStageCallShare > 0.6 || res.CostPerItem >= res.LastStageCost {
		t.Errorf("the cascade should answer most items and spare the strong model: %+v", res)
	}
}

// pjCSV writes a judgments.csv where model "small" is right on 98% of 400
// items and "big" on 90%, showing pairs in opposite orders.
func pjCSV() string {
	var b strings.Builder
	b.WriteString("task,setting,persona_features,judge_model,pair_key,ground_truth,answer,certainty,correct\n")
	for i := range 400 {
		gt := "AB"[i%2 : i%2+1]
		other := "AB"[1-i%2 : 2-i%2]
		for _, m := range []struct {
			name string
			miss int
		}{{"small", 50}, {"big", 10}} {
			ans, ok := gt, "1"
			if i%m.miss == 0 {
				ans, ok = other, "0"
			}
			fmt.Fprintf(&b, "PR,with_persona_certainty,all,%s,k%03d,%s,%s,95,%s\n", m.name, i, gt, ans, ok)
		}
	}
	b.WriteString("PR,with_tie,all,small,k000,A,C,NA,0\n") // another setting: ignored
	return b.String()
}

func TestRecordedCascadeAndPanel(t *testing.T) {
	t.Parallel()
	byModel, repeats, err := importers.ReadPJAligned(strings.NewReader(pjCSV()), importers.PJFilter{Task: "PR", PersonaFeatures: "all"})
	if err != nil || repeats != 0 || len(byModel["small"]) != 400 {
		t.Fatalf("read: %v, %d repeats, %d items", err, repeats, len(byModel["small"]))
	}
	res, err := Recorded(byModel, []string{"small", "big"}, 0.9, 0.05, false)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Policy.Found || res.HeldOut.Agreement < 0.9 || res.HeldOut.Coverage < 0.95 || res.HeldOut.Stages[1].Answered != 0 {
		t.Errorf("the accurate first stage should answer everything: %+v", res.HeldOut)
	}
	if res.CalItems+res.HeldOutItems != 400 || res.Panel.TestItems != res.HeldOutItems {
		t.Errorf("halves: %d + %d", res.CalItems, res.HeldOutItems)
	}
	if _, err := Recorded(byModel, []string{"small", "missing"}, 0.9, 0.05, false); err == nil {
		t.Error("an unknown stage model should be refused")
	}
}
