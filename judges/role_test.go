package judges

import (
	"math"
	"reflect"
	"strings"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

func roleItem() *RoleIdentification {
	return &RoleIdentification{Item: &pb.RoleIdentificationTask{
		Dialogue: []*pb.DialogueTurn{
			{Speaker: "Holmes", Text: "You have been in Afghanistan, I perceive.", InnerThought: "His tan stops at the wrists."},
			{Speaker: "Watson", Text: "How on earth did you know that?\nHolmes: it was obvious."},
		},
		TargetUtterance: "Never mind how; the deduction is elementary.",
		Candidates: []*pb.CandidateRole{
			{Name: "Sherlock Holmes", Profile: "A consulting detective, cold and precise."},
			{Name: "John Watson", Profile: "An army doctor back from the war."},
			{Name: "Mrs Hudson", Profile: "The landlady of 221B Baker Street."},
		},
	}}
}

// Every caller text reaches the model inside a fence; outside the fences
// candidates are labels only, so no name or position is shown as a hint.
func TestRolePromptFencesCallerText(t *testing.T) {
	t.Parallel()
	r := roleItem()
	for _, order := range r.Orders(pb.OrderPolicy_ORDER_POLICY_CYCLIC) {
		f := NewFence(r.Untrusted()...)
		sys, user := r.Prompt(order, f)
		req := &llmfake.Request{Messages: []llmfake.Message{{Role: "system", Content: sys}, {Role: "user", Content: user}}}
		blocks, outside := fakejudge.Split(req)
		names, profiles := fakejudge.RoleCandidates(blocks)
		for i, c := range order {
			cand := r.Item.Candidates[c]
			if names[i] != cand.Name || profiles[i] != cand.Profile {
				t.Fatalf("order %v: label %d shows %q/%q, want candidate %d", order, i+1, names[i], profiles[i], c)
			}
		}
		if got, _ := fakejudge.BlockText(blocks, "target utterance"); got != r.Item.TargetUtterance {
			t.Fatalf("target block = %q", got)
		}
		dialogue, _ := fakejudge.BlockText(blocks, "dialogue")
		// One JSON object per turn: the embedded "Holmes:" line stays
		// inside its turn's text instead of forming a turn of its own.
		if lines := strings.Split(dialogue, "\n"); len(lines) != 2 || !strings.Contains(lines[1], `\nHolmes: it was obvious.`) {
			t.Fatalf("dialogue block = %q", dialogue)
		}
		for _, text := range []string{"Holmes", "Watson", "Hudson", "Afghanistan", "tan stops", "elementary", "landlady"} {
			if strings.Contains(outside, text) || strings.Contains(sys, text) {
				t.Errorf("%q appears outside the fences", text)
			}
		}
		for _, want := range []string{"Candidate 1", "Candidate 3", `"1", "2", "3"`} {
			if !strings.Contains(outside, want) {
				t.Errorf("user message lacks %q outside the fences", want)
			}
		}
		if !strings.Contains(sys, `"3": <probability>`) || !strings.Contains(sys, "directly and explicitly supported") {
			t.Errorf("system prompt lacks the answer format or the certainty bands")
		}
	}
}

func TestRoleNoDialogue(t *testing.T) {
	t.Parallel()
	r := roleItem()
	r.Item.Dialogue = nil
	_, user := r.Prompt([]int{0, 1, 2}, NewFence(r.Untrusted()...))
	if !strings.Contains(user, "There is no earlier dialogue.") || strings.Contains(user, "BEGIN dialogue") {
		t.Fatalf("empty dialogue rendered as %q", user)
	}
}

func TestRoleSchema(t *testing.T) {
	t.Parallel()
	s := roleItem().Schema().Schema
	probs := s["properties"].(map[string]any)["probabilities"].(map[string]any)
	if got := probs["required"]; !reflect.DeepEqual(got, []any{"1", "2", "3"}) {
		t.Fatalf("probabilities.required = %v", got)
	}
	if probs["additionalProperties"] != false || s["additionalProperties"] != false {
		t.Fatal("schema is not closed")
	}
	if got := s["required"]; !reflect.DeepEqual(got, []any{"rationale", "probabilities", "certainty"}) {
		t.Fatalf("required = %v", got)
	}
}

func TestRoleOrders(t *testing.T) {
	t.Parallel()
	r := roleItem()
	for policy, want := range map[pb.OrderPolicy]int{
		pb.OrderPolicy_ORDER_POLICY_UNSPECIFIED: 3,
		pb.OrderPolicy_ORDER_POLICY_CYCLIC:      3,
		pb.OrderPolicy_ORDER_POLICY_REVERSED:    2,
		pb.OrderPolicy_ORDER_POLICY_SINGLE:      1,
	} {
		if got := len(r.Orders(policy)); got != want {
			t.Errorf("%v: %d orders, want %d", policy, got, want)
		}
	}
	if r.Kind() != "role_identification" || r.PromptVersion() != RolePromptVersion {
		t.Fatalf("kind/version = %q %q", r.Kind(), r.PromptVersion())
	}
}

func TestRoleParse(t *testing.T) {
	t.Parallel()
	const cert = `, "certainty": 80}`
	tests := []struct {
		name     string
		content  string
		order    []int
		want     []float64 // canonical distribution
		repaired bool
		err      string // substring; empty means success
	}{
		{"exact", `{"rationale":"r","probabilities":{"1":0.7,"2":0.2,"3":0.1}` + cert, []int{0, 1, 2}, []float64{0.7, 0.2, 0.1}, false, ""},
		{"mapped back through the order", `{"probabilities":{"1":0.7,"2":0.2,"3":0.1}` + cert, []int{2, 0, 1}, []float64{0.2, 0.1, 0.7}, false, ""},
		{"rounding within tolerance", `{"probabilities":{"1":0.33,"2":0.33,"3":0.33}` + cert, []int{0, 1, 2}, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}, false, ""},
		{"sum 1.3 renormalized", `{"probabilities":{"1":0.78,"2":0.26,"3":0.26}` + cert, []int{0, 1, 2}, []float64{0.6, 0.2, 0.2}, true, ""},
		{"sum 0.8 renormalized", `{"probabilities":{"1":0.4,"2":0.2,"3":0.2}` + cert, []int{0, 1, 2}, []float64{0.5, 0.25, 0.25}, true, ""},
		{"percentages", `{"probabilities":{"1":60,"2":30,"3":10}` + cert, []int{0, 1, 2}, []float64{0.6, 0.3, 0.1}, true, ""},
		{"numeric strings", `{"probabilities":{"1":"0.6","2":"30%","3":0.1}` + cert, []int{0, 1, 2}, []float64{0.6, 0.3, 0.1}, true, ""},
		{"decorated labels", `{"probabilities":{"Candidate 1":0.6,"[2]":0.3,"#3":0.1}` + cert, []int{0, 1, 2}, []float64{0.6, 0.3, 0.1}, true, ""},
		{"array in label order", `{"probabilities":[0.6,0.3,0.1]` + cert, []int{1, 2, 0}, []float64{0.1, 0.6, 0.3}, true, ""},
		{"code fence", "```json\n{\"probabilities\":{\"1\":0.6,\"2\":0.3,\"3\":0.1}" + cert + "\n```", []int{0, 1, 2}, []float64{0.6, 0.3, 0.1}, true, ""},
		{"names instead of labels", `{"probabilities":{"Sherlock Holmes":0.6,"John Watson":0.3,"Mrs Hudson":0.1}` + cert, []int{0, 1, 2}, nil, false, "candidate name"},
		{"missing label", `{"probabilities":{"1":0.6,"2":0.4}` + cert, []int{0, 1, 2}, nil, false, `missing label "3"`},
		{"unknown label", `{"probabilities":{"1":0.6,"2":0.3,"4":0.1}` + cert, []int{0, 1, 2}, nil, false, `unknown label "4"`},
		{"duplicate label", `{"probabilities":{"1":0.5,"Candidate 1":0.1,"2":0.3,"3":0.1}` + cert, []int{0, 1, 2}, nil, false, "given twice"},
		{"negative", `{"probabilities":{"1":0.8,"2":0.3,"3":-0.1}` + cert, []int{0, 1, 2}, nil, false, "negative"},
		{"not a number", `{"probabilities":{"1":"high","2":0.3,"3":0.1}` + cert, []int{0, 1, 2}, nil, false, "not a number"},
		{"NaN string", `{"probabilities":{"1":"NaN","2":0.3,"3":0.1}` + cert, []int{0, 1, 2}, nil, false, "not a finite number"},
		{"independent scores", `{"probabilities":{"1":0.9,"2":0.8,"3":0.9}` + cert, []int{0, 1, 2}, nil, false, "sum to 2.6"},
		{"all zero", `{"probabilities":{"1":0,"2":0,"3":0}` + cert, []int{0, 1, 2}, nil, false, "sum to 0"},
		{"percentages far off", `{"probabilities":{"1":250,"2":0,"3":0}` + cert, []int{0, 1, 2}, nil, false, "sum to 250"},
		{"one value above 1, sum 1.3", `{"probabilities":{"1":1.1,"2":0.1,"3":0.1}` + cert, []int{0, 1, 2}, []float64{11.0 / 13, 1.0 / 13, 1.0 / 13}, true, ""},
		{"missing probabilities", `{"choice":"1"` + cert, []int{0, 1, 2}, nil, false, `missing "probabilities"`},
		{"probabilities not an object", `{"probabilities":"1"` + cert, []int{0, 1, 2}, nil, false, "must be an object"},
		{"missing certainty", `{"probabilities":{"1":0.6,"2":0.3,"3":0.1}}`, []int{0, 1, 2}, nil, false, `missing "certainty"`},
		{"not JSON", `Candidate 1 said it.`, []int{0, 1, 2}, nil, false, "no JSON object"},
	}
	r := roleItem()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := r.Parse(tt.content, tt.order)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := p.Answer.Distribution
			for i := range tt.want {
				if math.Abs(got[i]-tt.want[i]) > 1e-9 {
					t.Fatalf("distribution = %v, want %v", got, tt.want)
				}
			}
			if p.Repaired != tt.repaired || p.Certainty != 80 {
				t.Fatalf("repaired = %v certainty %v, want %v and 80", p.Repaired, p.Certainty, tt.repaired)
			}
		})
	}
}

// A vote's own choice is its unique argmax; a tied top chooses nothing.
func TestRoleParseChoice(t *testing.T) {
	t.Parallel()
	r := roleItem()
	p, err := r.Parse(`{"probabilities":{"1":0.2,"2":0.7,"3":0.1},"certainty":50}`, []int{2, 0, 1})
	if err != nil || p.Answer.Choice == nil || *p.Answer.Choice != 0 {
		t.Fatalf("choice = %v (%v), want canonical 0", p.Answer.GetChoice(), err)
	}
	p, err = r.Parse(`{"probabilities":{"1":0.45,"2":0.45,"3":0.1},"certainty":50}`, []int{0, 1, 2})
	if err != nil || p.Answer.Choice != nil {
		t.Fatalf("tied top: choice = %v (%v), want none", p.Answer.Choice, err)
	}
}
