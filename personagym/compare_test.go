package personagym

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
)

// simulatedRun scores 200 personas x 5 tasks x 10 questions: a persona
// effect, a question effect shared by both agents, and judge noise per
// answer, rounded to whole levels 1-5; planted lowers one task's scores.
func simulatedRun(seed uint64, planted pb.AdherenceTaskKind, drop float64) []Result {
	shared := rand.New(rand.NewPCG(1, 2)) // the same personas and questions
	run := rand.New(rand.NewPCG(seed, 3)) // this agent's answers
	var out []Result
	for p := range 200 {
		pe := shared.NormFloat64() * 0.4
		for _, t := range judges.AdherenceTasks {
			for q := range 10 {
				base := 3.6 + pe + shared.NormFloat64()*0.5
				if t == planted {
					base -= drop
				}
				s := min(5, max(1, base+run.NormFloat64()*0.6))
				s = float64(int(s*2+0.5)) / 2 // two orders: half levels
				out = append(out, Result{ItemID: fmt.Sprintf("p%03d.%s.q%02d", p, taskCodes[t], q), Persona: p, Task: t, Score: &s})
			}
		}
	}
	return out
}

// A planted difference of 0.3 on one task is found (p < 0.01) on that task
// and not on the others.
func TestComparePlantedDifference(t *testing.T) {
	t.Parallel()
	planted := pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_LINGUISTIC_HABITS
	a := simulatedRun(10, 0, 0)
	b := simulatedRun(20, planted, 0.3)
	c, err := CompareResults(a, b, 7, 2000)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range c.Tasks {
		found := tc.PValue < 0.01
		if want := tc.Task == TaskName(planted); found != want {
			t.Errorf("%s: diff %+.3f p=%.4f; want found=%v", tc.Task, tc.Diff.Value, tc.PValue, want)
		}
		if tc.Diff.N != 2000 {
			t.Errorf("%s: %d pairs, want 2000", tc.Task, tc.Diff.N)
		}
	}
	if c.Overall.Diff.N != 200 || c.Overall.Diff.Value > -0.03 {
		t.Errorf("overall: %+v, want about -0.06 over 200 personas", c.Overall.Diff)
	}
	// Judge errors are left out of their pairs, never scored.
	b[0].Score, b[0].Status = nil, pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR
	if c, _ := CompareResults(a, b, 7, 200); c.Unpaired != 1 {
		t.Errorf("unpaired %d, want 1", c.Unpaired)
	}
}

// Runs with no item in common have nothing to pair: an error, never an
// empty comparison that reads as "no difference".
func TestCompareNoSharedQuestions(t *testing.T) {
	t.Parallel()
	a := simulatedRun(10, 0, 0)[:5]
	b := simulatedRun(20, 0, 0)[5:10]
	if _, err := CompareResults(a, b, 7, 100); !errors.Is(err, ErrNoSharedQuestions) {
		t.Fatalf("err = %v, want ErrNoSharedQuestions", err)
	}
	if _, err := CompareResults(a, a, 7, 100); err != nil {
		t.Fatalf("same run: %v", err)
	}
}
