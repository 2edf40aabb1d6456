package importers

import (
	"strings"
	"testing"
)

func TestReadPJAligned(t *testing.T) {
	t.Parallel()
	in := `task,setting,persona_features,judge_model,pair_key,ground_truth,answer,certainty,correct
PR,with_persona_certainty,all,m1,k1,A,A,90,1
PR,with_persona_certainty,all,m1,k1,B,B,50,1
PR,with_persona_certainty,all,m2,k1,B,[,NA,0
PR,with_persona_certainty,key_features,m1,k2,A,A,90,1
PR,with_tie,all,m1,k3,A,C,NA,0
PRISM,with_persona_certainty,all,m1,k4,A,A,90,1
`
	got, repeats, err := ReadPJAligned(strings.NewReader(in), PJFilter{Task: "PR", PersonaFeatures: "all"})
	if err != nil {
		t.Fatal(err)
	}
	if repeats != 1 || len(got) != 2 || len(got["m1"]) != 1 || len(got["m2"]) != 1 {
		t.Fatalf("got %v, %d repeats", got, repeats)
	}
	if j := got["m1"]["k1"]; !j.Answered || !j.First || !j.FirstTrue || !j.Correct || j.Certainty != 90 {
		t.Errorf("first record kept: %+v", j)
	}
	if j := got["m2"]["k1"]; j.Answered || j.Correct || j.Certainty != 1 {
		t.Errorf("a garbage answer is unanswered, NA certainty reads 1: %+v", j)
	}
	if _, _, err := ReadPJAligned(strings.NewReader("task,setting\nPR,x\n"), PJFilter{Task: "PR", PersonaFeatures: "all"}); err == nil {
		t.Error("missing columns should be refused")
	}
}
