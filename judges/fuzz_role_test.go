package judges

import (
	"fmt"
	"math"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// fzRoleSeeds are role answers, well-formed and not, for K = 3 unless the
// seed says otherwise; the fuzzer varies K and the order shown.
var fzRoleSeeds = []string{
	``,
	`{}`,
	`null`,
	`{"probabilities":{"1":0.2,"2":0.7,"3":0.1},"certainty":80}`,
	`{"rationale":"r","probabilities":{"1":1,"2":0,"3":0},"certainty":100}`,
	`{"probabilities":{"1":0.34,"2":0.33,"3":0.33},"certainty":1}`,
	`{"probabilities":{"1":0.6,"2":0.5,"3":0.2},"certainty":70}`,
	`{"probabilities":{"1":20,"2":70,"3":10},"certainty":"85%"}`,
	`{"probabilities":{"1":"20%","2":"0.7","3":" 0.1 "},"confidence":0.9}`,
	`{"probabilities":[0.1,0.2,0.7],"certainty":60}`,
	`{"probabilities":[0.1,0.9],"certainty":60}`,
	`{"distribution":{"Candidate 1":0.5,"[2]":0.25,"#3":0.25},"certainty":50}`,
	`{"probs":{"label 1":0.5,"option 2":0.5,"role 3":0},"certainty":50}`,
	`{"probabilities":{"1":0.5,"Candidate 1":0.5,"3":0},"certainty":50}`,
	`{"probabilities":{"Alice":0.5,"Bob":0.5,"Carol":0},"certainty":50}`,
	`{"probabilities":{"1":0.5,"2":0.5},"certainty":50}`,
	`{"probabilities":{"1":0.5,"2":0.5,"3":0,"4":0},"certainty":50}`,
	`{"probabilities":{"1":-0.1,"2":0.6,"3":0.5},"certainty":50}`,
	`{"probabilities":{"1":"high","2":0.5,"3":0.5},"certainty":50}`,
	`{"probabilities":{"1":"NaN","2":0.5,"3":0.5},"certainty":50}`,
	`{"probabilities":{"1":"Inf","2":0.5,"3":0.5},"certainty":50}`,
	`{"probabilities":{"1":1e308,"2":1e308,"3":1e308},"certainty":50}`,
	`{"probabilities":{"1":5e-324,"2":1,"3":0},"certainty":50}`,
	`{"probabilities":{"1":0,"2":0,"3":0},"certainty":50}`,
	`{"probabilities":{"1":0.3,"2":0.3,"3":0.3},"certainty":1e309}`,
	`{"probabilities":{"1":0.3,"2":0.3,"3":0.4},"certainty":0.5}`,
	`{"probabilities":{"1":0.3,"2":0.3,"3":0.4},"certainty":0}`,
	`{"probabilities":{"1":0.3,"2":0.3,"3":0.4},"certainty":101}`,
	`{"probabilities":{"1":0.3,"2":0.3,"3":0.4}}`,
	`{"probabilities":"1: 0.3","certainty":50}`,
	`{"probabilities":{"01":0.3,"2":0.3,"3":0.4},"certainty":50}`,
	`{"probabilities":{"+1":0.3,"2":0.3,"3":0.4},"certainty":50}`,
	`{"probabilities":{" 1 ":0.3,"2":0.3,"3":0.4},"certainty":50}`,
	`{"PROBABILITIES":{"1":0.3,"2":0.3,"3":0.4},"Certainty":50}`,
	"```json\n{\"probabilities\":{\"1\":0.3,\"2\":0.3,\"3\":0.4},\"certainty\":50}\n```",
	`I think: {"probabilities":{"1":0.3,"2":0.3,"3":0.4},"certainty":50} done`,
	`{"probabilities":{"1":0.3,"2":0.3,"3":0.4},"certainty":50`,
	"\xff{\"probabilities\":{\"1\":1,\"2\":0,\"3\":0},\"certainty\":50}",
}

// fzRoleItem has k candidates with names a model might key by.
func fzRoleItem(k int) *RoleIdentification {
	names := []string{"Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi", "Ivan", "Judy"}
	item := &pb.RoleIdentificationTask{TargetUtterance: "t"}
	for i := range k {
		item.Candidates = append(item.Candidates, &pb.CandidateRole{Name: names[i], Profile: fmt.Sprint("p", i)})
	}
	return &RoleIdentification{Item: item}
}

// Parse never panics. On success the distribution covers the K canonical
// candidates, is non-negative and sums to 1, the certainty is in [1, 100],
// the choice (if any) is the single most likely candidate, and reading the
// same answer in a cyclic shift maps every shown label to its candidate.
func FuzzRoleParse(f *testing.F) {
	for i, s := range fzRoleSeeds {
		f.Add(s, uint8(1), uint8(i))
	}
	f.Add(`{"probabilities":{"1":0.1,"2":0.9},"certainty":60}`, uint8(0), uint8(1))
	f.Add(`{"probabilities":{"1":0.1,"2":0.1,"3":0.1,"4":0.1,"5":0.1,"6":0.1,"7":0.1,"8":0.1,"9":0.1,"10":0.1},"certainty":60}`, uint8(8), uint8(3))
	f.Fuzz(func(t *testing.T, content string, kk, shift uint8) {
		k := 2 + int(kk)%9 // 2..10 candidates
		r := fzRoleItem(k)
		identity := make([]int, k)
		shifted := make([]int, k)
		for i := range k {
			identity[i] = i
			shifted[i] = (i + int(shift)) % k
		}
		id, errID := r.Parse(content, identity)
		sh, errSh := r.Parse(content, shifted)
		if (errID == nil) != (errSh == nil) {
			t.Fatalf("Parse(%q, k=%d) succeeds in one order only: %v / %v", content, k, errID, errSh)
		}
		if errID != nil {
			return
		}
		for _, got := range []Parsed{id, sh} {
			a := got.Answer
			if a == nil || len(a.Distribution) != k {
				t.Fatalf("Parse(%q, k=%d): answer %v, want a distribution over %d candidates", content, k, a, k)
			}
			var sum float64
			for i, p := range a.Distribution {
				if math.IsNaN(p) || math.IsInf(p, 0) || p < 0 {
					t.Fatalf("Parse(%q, k=%d): distribution[%d] = %v", content, k, i, p)
				}
				sum += p
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Fatalf("Parse(%q, k=%d): distribution %v sums to %v", content, k, a.Distribution, sum)
			}
			if math.IsNaN(got.Certainty) || got.Certainty < 1 || got.Certainty > 100 {
				t.Fatalf("Parse(%q, k=%d): certainty %v outside [1, 100]", content, k, got.Certainty)
			}
			top := topSet(a.Distribution)
			if (a.Choice != nil) != (len(top) == 1) || a.Choice != nil && int(*a.Choice) != top[0] {
				t.Fatalf("Parse(%q, k=%d): choice %v, most likely %v of %v", content, k, a.Choice, top, a.Distribution)
			}
			if a.Score != nil || a.Tie {
				t.Fatalf("Parse(%q, k=%d): answer carries a score or tie: %v", content, k, a)
			}
		}
		// Shown label i+1 is canonical candidate order[i]: the probability
		// the model gave label i+1 lands on shifted[i], whatever the shift.
		for i := range k {
			if sh.Answer.Distribution[shifted[i]] != id.Answer.Distribution[i] {
				t.Fatalf("Parse(%q, k=%d, shift %d): label %d maps to %v, want %v (identity %v, shifted %v)",
					content, k, shift%uint8(k), i+1, sh.Answer.Distribution[shifted[i]], id.Answer.Distribution[i], id.Answer.Distribution, sh.Answer.Distribution)
			}
		}
		if sh.Certainty != id.Certainty || sh.Repaired != id.Repaired || sh.Rationale != id.Rationale {
			t.Fatalf("Parse(%q, k=%d): certainty, repair or rationale depend on the order: %+v / %+v", content, k, id, sh)
		}
	})
}
