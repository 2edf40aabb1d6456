package judges

import (
	"fmt"
	"github.com/personajudge/personajudge/stats"
	"math/rand/v2"
	"slices"
	"strings"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// AdherenceTasks are the five PersonaGym tasks in enum order, the order of
// every per-task report.
var AdherenceTasks = []pb.AdherenceTaskKind{
	pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_EXPECTED_ACTION,
	pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_ACTION_JUSTIFICATION,
	pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_LINGUISTIC_HABITS,
	pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_PERSONA_CONSISTENCY,
	pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_TOXICITY_CONTROL,
}

// DefaultBootstrapSamples is used when a request leaves the count at zero.
const DefaultBootstrapSamples = 1000

// bootstrapStream is the second PCG seed word; the caller's seed is the
// first. Fixed, so a seed alone makes the interval repeatable.
const bootstrapStream = 0x50657273_6f6e6147 // "PersonaG"

// PersonaItem is one PersonaScore item, reduced to what the roll-up needs.
type PersonaItem struct {
	Task pb.AdherenceTaskKind
	// Evaluators holds, per judge model, the successful scores it gave the
	// item. An item without any successful score is excluded from its
	// task's mean and counted: as an abstention when Abstained, otherwise
	// as a judge error.
	Evaluators [][]float64
	// Abstained: the judgment abstained (a calibrated probability below
	// the caller's minimum), which is not a judge failure.
	Abstained bool
}

// PersonaItemFrom reduces an adherence judgment for the roll-up. An
// evaluator is a model that counted in the verdict (not in FailedModels);
// its successful scores are its per-order mean scores, so the item's score
// equals the judgment's verdict score and every order weighs the same. With
// one sample per order (the default) these are exactly its votes' scores.
// A judgment without a verdict yields no evaluators: a judge error.
func PersonaItemFrom(task pb.AdherenceTaskKind, j *Judgment) PersonaItem {
	item := PersonaItem{Task: task}
	if j == nil || j.Status != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT {
		item.Abstained = j != nil && j.Status == pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN
		return item
	}
	var kept []*pb.Vote
	for _, v := range j.Votes {
		if valid(v) && !slices.Contains(j.FailedModels, v.Model) {
			kept = append(kept, v)
		}
	}
	for _, e := range scoresByEvaluator(kept) {
		item.Evaluators = append(item.Evaluators, e.Orders)
	}
	return item
}

// score is the item's score the PersonaGym way: per evaluator the mean of
// its successful scores, then the mean over evaluators with any. ok is
// false when no evaluator scored the item. (PersonaGym itself averages an
// evaluator with no successful score as 0; here it is left out.)
func (it PersonaItem) score() (float64, bool) {
	var means []float64
	for _, e := range it.Evaluators {
		if len(e) > 0 {
			means = append(means, meanOfScores(e))
		}
	}
	if len(means) == 0 {
		return 0, false
	}
	return meanOfScores(means), true
}

// PersonaRollup is PersonaScore and what it rests on.
type PersonaRollup struct {
	// Tasks has all five tasks in enum order, with a mean where scored.
	Tasks []*pb.TaskScore
	// Score is the unweighted mean of the task means; nil when no task has
	// one.
	Score *float64
	// Interval is the bootstrap interval for Score; nil with Score.
	Interval *pb.Interval
	// Missing lists the tasks without a scored item, left out of Score.
	Missing []pb.AdherenceTaskKind
	// Note says, in words, what is missing or excluded.
	Note string
}

// RollUpPersona computes PersonaScore as PersonaGym does: per item the
// mean over evaluators of each evaluator's mean, per task the mean over
// its scored items, and PersonaScore the unweighted mean over the tasks
// that have a score. Items of a task outside the five are ignored.
//
// The interval is a percentile bootstrap at 95%: each resample draws, within
// every scored task, as many items as it scored, uniformly with replacement,
// and recomputes PersonaScore; the bounds are the 2.5% and 97.5% quantiles
// (linear interpolation) of the resampled scores. Item scores are fixed, so
// the interval covers the choice of questions, not the judge's own noise.
// The draws come from a PCG generator seeded with seed, so the same items in
// the same order and the same seed give the same interval. samples <= 0
// means DefaultBootstrapSamples.
func RollUpPersona(items []PersonaItem, seed uint64, samples int) PersonaRollup {
	if samples <= 0 {
		samples = DefaultBootstrapSamples
	}
	scores := map[pb.AdherenceTaskKind][]float64{}
	var out PersonaRollup
	byTask := map[pb.AdherenceTaskKind]*pb.TaskScore{}
	for _, t := range AdherenceTasks {
		ts := &pb.TaskScore{Task: t}
		byTask[t] = ts
		out.Tasks = append(out.Tasks, ts)
	}
	for _, it := range items {
		ts := byTask[it.Task]
		if ts == nil {
			continue
		}
		ts.Items++
		switch s, ok := it.score(); {
		case ok:
			ts.Scored++
			scores[it.Task] = append(scores[it.Task], s)
		case it.Abstained:
			ts.ExcludedAbstentions++
		default:
			ts.ExcludedJudgeErrors++
		}
	}
	var present [][]float64
	var taskMeans []float64
	for _, ts := range out.Tasks {
		s := scores[ts.Task]
		if len(s) == 0 {
			out.Missing = append(out.Missing, ts.Task)
			continue
		}
		ts.Mean = ptr(meanOfScores(s))
		taskMeans = append(taskMeans, *ts.Mean)
		present = append(present, s)
	}
	if len(taskMeans) > 0 {
		out.Score = ptr(meanOfScores(taskMeans))
		lo, hi := bootstrapInterval(present, seed, samples, 0.95)
		out.Interval = &pb.Interval{Lower: lo, Upper: hi, Level: 0.95}
	}
	out.Note = rollupNote(out, len(taskMeans))
	return out
}

// bootstrapInterval resamples items within each task; see RollUpPersona.
func bootstrapInterval(tasks [][]float64, seed uint64, samples int, level float64) (float64, float64) {
	rng := rand.New(rand.NewPCG(seed, bootstrapStream))
	draws := make([]float64, samples)
	for b := range draws {
		var total float64
		for _, s := range tasks {
			var sum float64
			for range s {
				sum += s[rng.IntN(len(s))]
			}
			total += sum / float64(len(s))
		}
		draws[b] = total / float64(len(tasks))
	}
	slices.Sort(draws)
	alpha := (1 - level) / 2
	return stats.Quantile(draws, alpha), stats.Quantile(draws, 1-alpha)
}

func rollupNote(r PersonaRollup, scoredTasks int) string {
	var notes []string
	if len(r.Missing) > 0 {
		names := make([]string, len(r.Missing))
		for i, t := range r.Missing {
			names[i] = taskName(t)
		}
		if scoredTasks == 0 {
			notes = append(notes, "no task has a scored item; persona_score is unset")
		} else {
			notes = append(notes, fmt.Sprintf("missing tasks (no scored item): %s; persona_score is the mean over the other %d task(s)",
				strings.Join(names, ", "), scoredTasks))
		}
	}
	var excluded []string
	total := 0
	for _, ts := range r.Tasks {
		if ts.ExcludedJudgeErrors > 0 {
			total += int(ts.ExcludedJudgeErrors)
			excluded = append(excluded, fmt.Sprintf("%s %d", taskName(ts.Task), ts.ExcludedJudgeErrors))
		}
	}
	if total > 0 {
		notes = append(notes, fmt.Sprintf("%d item(s) excluded for judge errors (%s)", total, strings.Join(excluded, ", ")))
	}
	abstained := 0
	for _, ts := range r.Tasks {
		abstained += int(ts.ExcludedAbstentions)
	}
	if abstained > 0 {
		notes = append(notes, fmt.Sprintf("%d item(s) excluded as abstentions (below the requested calibrated probability)", abstained))
	}
	return strings.Join(notes, "; ")
}

func taskName(t pb.AdherenceTaskKind) string {
	if r, ok := builtinRubrics[t]; ok {
		return strings.ToLower(r.Name)
	}
	return t.String()
}
