package judges

import (
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

func ev(scores ...float64) []float64 { return scores }

// Hand-computed roll-up with judge errors, an evaluator that failed on one
// item, and two missing tasks.
//
//	expected action: (4,4)->4, (2 | 3)->2.5, error, (5 | none)->5: mean 11.5/3
//	action justification: 3 and 1: mean 2
//	linguistic habits: two judge errors: missing, 2 excluded
//	persona consistency: 5
//	toxicity control: no items: missing
//	PersonaScore = (11.5/3 + 2 + 5) / 3
func TestRollUpPersonaHandComputed(t *testing.T) {
	t.Parallel()
	items := []PersonaItem{
		{Task: taskEA, Evaluators: [][]float64{ev(4, 4), ev(5, 3)}},
		{Task: taskAJ, Evaluators: [][]float64{ev(3, 3)}},
		{Task: taskEA, Evaluators: [][]float64{ev(2), ev(3)}},
		{Task: taskLH},
		{Task: taskEA},
		{Task: taskPC, Evaluators: [][]float64{ev(5)}},
		{Task: taskEA, Evaluators: [][]float64{ev(5), nil}}, // PersonaGym would count the empty evaluator as 0
		{Task: taskLH, Evaluators: [][]float64{nil, nil}},
		{Task: taskAJ, Evaluators: [][]float64{ev(1)}},
	}
	r := RollUpPersona(items, 7, 500)
	ea := 11.5 / 3
	want := []struct {
		task                      pb.AdherenceTaskKind
		mean                      *float64
		items, scored, excludedJE int32
	}{
		{taskEA, &ea, 4, 3, 1},
		{taskAJ, ptr(2.0), 2, 2, 0},
		{taskLH, nil, 2, 0, 2},
		{taskPC, ptr(5.0), 1, 1, 0},
		{taskTC, nil, 0, 0, 0},
	}
	if len(r.Tasks) != 5 {
		t.Fatalf("%d task scores, want all five", len(r.Tasks))
	}
	for i, w := range want {
		ts := r.Tasks[i]
		if ts.Task != w.task || ts.Items != w.items || ts.Scored != w.scored || ts.ExcludedJudgeErrors != w.excludedJE {
			t.Errorf("task %d = %v, want %v items %d scored %d excluded %d", i, ts, w.task, w.items, w.scored, w.excludedJE)
		}
		if (ts.Mean == nil) != (w.mean == nil) || (w.mean != nil && !near(*ts.Mean, *w.mean)) {
			t.Errorf("%v mean = %v, want %v", w.task, ts.Mean, w.mean)
		}
	}
	if wantScore := (ea + 2 + 5) / 3; r.Score == nil || !near(*r.Score, wantScore) {
		t.Fatalf("PersonaScore = %v, want %v", r.Score, wantScore)
	}
	if !slices.Equal(r.Missing, []pb.AdherenceTaskKind{taskLH, taskTC}) {
		t.Fatalf("missing = %v", r.Missing)
	}
	for _, want := range []string{"linguistic habits, toxicity control", "mean over the other 3 task(s)", "3 item(s) excluded for judge errors (expected action 1, linguistic habits 2)"} {
		if !strings.Contains(r.Note, want) {
			t.Errorf("note %q lacks %q", r.Note, want)
		}
	}
	if r.Interval == nil || r.Interval.Level != 0.95 || r.Interval.Lower > *r.Score || r.Interval.Upper < *r.Score || r.Interval.Lower >= r.Interval.Upper {
		t.Fatalf("interval %v around %v", r.Interval, *r.Score)
	}
}

func TestRollUpPersonaNothingScored(t *testing.T) {
	t.Parallel()
	r := RollUpPersona([]PersonaItem{{Task: taskEA}, {Task: taskTC, Evaluators: [][]float64{nil}}}, 1, 0)
	if r.Score != nil || r.Interval != nil || len(r.Missing) != 5 {
		t.Fatalf("score %v interval %v missing %v, want unset and all five missing", r.Score, r.Interval, r.Missing)
	}
	if !strings.Contains(r.Note, "no task has a scored item") || !strings.Contains(r.Note, "2 item(s) excluded") {
		t.Fatalf("note %q", r.Note)
	}
	if r := RollUpPersona(nil, 1, 0); r.Score != nil || len(r.Tasks) != 5 {
		t.Fatalf("no items: %v", r)
	}
}

func TestRollUpPersonaCompleteHasNoNote(t *testing.T) {
	t.Parallel()
	var items []PersonaItem
	for _, task := range AdherenceTasks {
		items = append(items, PersonaItem{Task: task, Evaluators: [][]float64{ev(4)}})
	}
	r := RollUpPersona(items, 1, 0)
	if r.Note != "" || len(r.Missing) != 0 || !near(*r.Score, 4) {
		t.Fatalf("note %q missing %v score %v", r.Note, r.Missing, *r.Score)
	}
	// Identical item scores: nothing to resample, a zero-width interval.
	if r.Interval.Lower != 4 || r.Interval.Upper != 4 {
		t.Fatalf("interval %v, want [4, 4]", r.Interval)
	}
}

func TestBootstrapRepeatable(t *testing.T) {
	t.Parallel()
	items := []PersonaItem{
		{Task: taskEA, Evaluators: [][]float64{ev(1)}}, {Task: taskEA, Evaluators: [][]float64{ev(5)}},
		{Task: taskEA, Evaluators: [][]float64{ev(3)}}, {Task: taskAJ, Evaluators: [][]float64{ev(2)}},
		{Task: taskAJ, Evaluators: [][]float64{ev(4)}},
	}
	a, b := RollUpPersona(items, 42, 300), RollUpPersona(items, 42, 300)
	if a.Interval.Lower != b.Interval.Lower || a.Interval.Upper != b.Interval.Upper {
		t.Fatalf("same seed, different intervals: %v %v", a.Interval, b.Interval)
	}
	c := RollUpPersona(items, 43, 300)
	if a.Interval.Lower == c.Interval.Lower && a.Interval.Upper == c.Interval.Upper {
		t.Fatalf("seeds 42 and 43 gave the same interval %v: the seed is not used", a.Interval)
	}
}

// With many items the percentile interval approaches the normal one:
// PersonaScore's standard error is sqrt(sum_t var_t/n_t)/T when items are
// resampled within tasks.
func TestBootstrapMatchesNormalApproximation(t *testing.T) {
	t.Parallel()
	const n = 200
	var items []PersonaItem
	for _, task := range AdherenceTasks {
		for i := range n {
			s := 1.0 // half 1s, half 5s: variance 4 (population)
			if i%2 == 0 {
				s = 5
			}
			items = append(items, PersonaItem{Task: task, Evaluators: [][]float64{{s}}})
		}
	}
	r := RollUpPersona(items, 3, 4000)
	se := math.Sqrt(5*4.0/n) / 5
	half := (r.Interval.Upper - r.Interval.Lower) / 2
	if math.Abs(half-1.96*se)/(1.96*se) > 0.1 {
		t.Fatalf("half-width %v, want about %v", half, 1.96*se)
	}
	if mid := (r.Interval.Upper + r.Interval.Lower) / 2; math.Abs(mid-3) > 0.02 {
		t.Fatalf("interval %v not centred on 3", r.Interval)
	}
}

func TestPersonaItemFrom(t *testing.T) {
	t.Parallel()
	resp := &Judgment{
		Outcome:      Outcome{Status: pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT},
		FailedModels: []string{"c"},
		Votes: []*pb.Vote{
			scoreVote("a", ascOrder, 4), scoreVote("a", descOrder, 2),
			scoreVote("b", ascOrder, 5), scoreVote("b", ascOrder, 3), scoreVote("b", descOrder, 5),
			scoreVote("c", ascOrder, 1), // from a model excluded from the verdict
			{Model: "b", ShownOrder: descOrder, ParseStatus: pb.ParseStatus_PARSE_STATUS_FAILED},
		},
	}
	it := PersonaItemFrom(taskPC, resp)
	want := [][]float64{{4, 2}, {4, 5}}
	if it.Task != taskPC || !slices.EqualFunc(it.Evaluators, want, func(a, b []float64) bool { return slices.Equal(a, b) }) {
		t.Fatalf("item = %v, want evaluators %v", it, want)
	}
	// The item's score equals the judgment's verdict score.
	s, _ := it.score()
	if out := aggregateScores(resp.Votes[:5]); !near(s, *out.Verdict.Score) {
		t.Fatalf("roll-up item score %v, verdict %v", s, *out.Verdict.Score)
	}
	resp.Status = pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR
	if it := PersonaItemFrom(taskPC, resp); len(it.Evaluators) != 0 {
		t.Fatalf("a JUDGE_ERROR judgment yields evaluators %v", it.Evaluators)
	}
}

// PersonaGym's published per-task means reproduce its PersonaScore, for the
// five models whose published figures are consistent (SOURCE.md: the
// claude_3_haiku row lists 3.64 where its task means give 3.84). Each task
// is built from 100 items of whole-level scores whose mean is exactly the
// published task mean, judged by two agreeing evaluators.
func TestRollUpReproducesPersonaGymScores(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "..", "shared", "data", "personagym", "model_scores.json")
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("PersonaGym reference scores not present at %s (the shared data folder is outside the repository); the self-contained roll-up tests still run", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	var rows map[string]map[string]float64
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	names := map[pb.AdherenceTaskKind]string{
		taskEA: "Expected Action", taskAJ: "Action Justification", taskLH: "Linguistic Habits",
		taskPC: "Persona Consistency", taskTC: "Toxicity Control",
	}
	const inconsistent = "20240710_claude_3_haiku"
	matched := 0
	for model, row := range rows {
		var items []PersonaItem
		for _, task := range AdherenceTasks {
			m, ok := row[names[task]]
			if !ok {
				t.Fatalf("%s: no %q", model, names[task])
			}
			items = append(items, itemsWithMean(task, m, 100)...)
		}
		r := RollUpPersona(items, 1, 50)
		for i, task := range AdherenceTasks {
			if !near(*r.Tasks[i].Mean, row[names[task]]) {
				t.Fatalf("%s %v: task mean %v, want %v", model, task, *r.Tasks[i].Mean, row[names[task]])
			}
		}
		published := row["PersonaScore"]
		ok := math.Abs(*r.Score-published) <= 0.005+1e-9
		switch {
		case model == inconsistent && ok:
			t.Errorf("%s: PersonaScore %v now matches the published %v; SOURCE.md says it does not", model, *r.Score, published)
		case model != inconsistent && !ok:
			t.Errorf("%s: PersonaScore %.4f, published %.2f", model, *r.Score, published)
		case ok:
			matched++
		}
	}
	if matched != 5 {
		t.Fatalf("%d consistent rows reproduced, want 5", matched)
	}
}

// itemsWithMean builds n items of whole-level scores (floor and ceil of
// mean) averaging exactly mean (to 1/n), each scored by two evaluators.
func itemsWithMean(task pb.AdherenceTaskKind, mean float64, n int) []PersonaItem {
	lo := math.Floor(mean)
	high := int(math.Round((mean - lo) * float64(n)))
	items := make([]PersonaItem, n)
	for i := range items {
		s := lo
		if i < high {
			s = lo + 1
		}
		items[i] = PersonaItem{Task: task, Evaluators: [][]float64{{s}, {s}}}
	}
	return items
}

// An item that abstained is excluded as an abstention, not counted as a
// judge error.
func TestRollUpCountsAbstentionsApart(t *testing.T) {
	t.Parallel()
	abstained := PersonaItemFrom(taskPC, &Judgment{Outcome: Outcome{Status: pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN}})
	failed := PersonaItemFrom(taskPC, &Judgment{Outcome: Outcome{Status: pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR}})
	scored := PersonaItem{Task: taskPC, Evaluators: [][]float64{{4}}}
	r := RollUpPersona([]PersonaItem{abstained, failed, scored}, 1, 10)
	for _, ts := range r.Tasks {
		if ts.Task != taskPC {
			continue
		}
		if ts.Items != 3 || ts.Scored != 1 || ts.ExcludedAbstentions != 1 || ts.ExcludedJudgeErrors != 1 {
			t.Fatalf("task score %v", ts)
		}
	}
	if !strings.Contains(r.Note, "1 item(s) excluded as abstentions") || !strings.Contains(r.Note, "1 item(s) excluded for judge errors") {
		t.Fatalf("note %q", r.Note)
	}
}
