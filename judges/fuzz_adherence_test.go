package judges

import (
	"math"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

var fzAdherenceSeeds = []string{
	``,
	` `,
	`{}`,
	`null`,
	`{"rationale":"r","score":4,"certainty":80}`,
	`{"score":1,"certainty":1}`,
	`{"score":5,"certainty":100}`,
	`{"score":5.0,"certainty":100}`,
	`{"score":4.5,"certainty":80}`,
	`{"score":0,"certainty":80}`,
	`{"score":6,"certainty":80}`,
	`{"score":-1,"certainty":80}`,
	`{"score":1e309,"certainty":80}`,
	`{"score":"4","certainty":"85%"}`,
	`{"score":"4/5","confidence":0.85}`,
	`{"score":"4 out of 5","certainty":80}`,
	`{"score":"Score: 3.","certainty":80}`,
	`{"score":"level 2","certainty":80}`,
	`{"score":"NaN","certainty":80}`,
	`{"score":"4.0000000000000001","certainty":80}`,
	`{"score":"00004","certainty":80}`,
	`{"score":"99999999999999999999","certainty":80}`,
	`{"score":true,"certainty":80}`,
	`{"score":[4],"certainty":80}`,
	`{"rating":3,"certainty":80}`,
	`{"level":2,"certainty":80}`,
	`{"SCORE":3,"Certainty":80}`,
	`{"score":3}`,
	`{"score":3,"certainty":"NaN"}`,
	`{"score":3,"certainty":0.001}`,
	`{"score":3,"certainty":1e309}`,
	"```json\n{\"score\":2,\"certainty\":60}\n```",
	`Here you go: {"score":2,"certainty":60} bye`,
	"Score: 4\nCertainty: 70",
	"The final score is 5. Confidence = 90%",
	"rating=2 certainty=10",
	"score: 7 certainty: 50",
	"score: 3.5 certainty: 50",
	"certainty: 50",
	`{"score":3,"certainty":50`,
	"\xff\xfe{\"score\":3,\"certainty\":50}",
}

// Parse never panics. On success the score is a whole level 1..5, the
// certainty is in [1, 100], and the answer is the same whichever way the
// rubric was shown (levels carry their true numbers).
func FuzzAdherenceParse(f *testing.F) {
	for _, s := range fzAdherenceSeeds {
		f.Add(s)
	}
	a := &Adherence{Item: &pb.PersonaAdherenceTask{Task: pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_EXPECTED_ACTION}}
	asc, desc := []int{0, 1, 2, 3, 4}, []int{4, 3, 2, 1, 0}
	f.Fuzz(func(t *testing.T, content string) {
		up, errUp := a.Parse(content, asc)
		down, errDown := a.Parse(content, desc)
		if (errUp == nil) != (errDown == nil) {
			t.Fatalf("Parse(%q) succeeds in one order only: %v / %v", content, errUp, errDown)
		}
		if errUp != nil {
			return
		}
		ans := up.Answer
		if ans == nil || ans.Score == nil {
			t.Fatalf("Parse(%q) succeeded without a score: %v", content, ans)
		}
		if s := *ans.Score; s != math.Trunc(s) || s < 1 || s > RubricLevels {
			t.Fatalf("Parse(%q) score %v is not a level 1..5", content, s)
		}
		if ans.Choice != nil || ans.Tie || ans.Distribution != nil {
			t.Fatalf("Parse(%q) answer carries a choice, tie or distribution: %v", content, ans)
		}
		if math.IsNaN(up.Certainty) || up.Certainty < 1 || up.Certainty > 100 {
			t.Fatalf("Parse(%q) certainty %v outside [1, 100]", content, up.Certainty)
		}
		if *down.Answer.Score != *ans.Score || down.Certainty != up.Certainty || down.Repaired != up.Repaired {
			t.Fatalf("Parse(%q) depends on the rubric order: %+v / %+v", content, up, down)
		}
	})
}
