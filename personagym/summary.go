package personagym

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
	"github.com/personajudge/personajudge/stats"
)

// PersonaSummary is one persona's PersonaScore, rolled up as PersonaGym
// does (judges.RollUpPersona): per task the mean over its scored
// questions, PersonaScore the unweighted mean over the tasks scored, with a
// bootstrap interval over the persona's questions.
type PersonaSummary struct {
	Index        int                `json:"index"`
	Persona      string             `json:"persona"`
	Score        *float64           `json:"personaScore,omitempty"`
	Interval     *[2]float64        `json:"interval,omitempty"`
	Tasks        map[string]float64 `json:"tasks"`
	MissingTasks []string           `json:"missingTasks,omitempty"`
}

// TaskSummary is one task across personas: the mean over personas of their
// task means, with intervals resampling personas and resampling questions.
type TaskSummary struct {
	Task          string         `json:"task"`
	OverPersonas  stats.Estimate `json:"overPersonas"`
	OverQuestions stats.Estimate `json:"overQuestions"`
	Items         int            `json:"items"`
	Scored        int            `json:"scored"`
	JudgeErrors   int            `json:"judgeErrors"`
	Abstentions   int            `json:"abstentions"`
}

// Summary is a run's report.
type Summary struct {
	// PersonaScore is the mean over personas of their PersonaScores, with
	// a bootstrap interval over personas.
	PersonaScore stats.Estimate   `json:"personaScore"`
	Tasks        []TaskSummary    `json:"tasks"`
	Personas     []PersonaSummary `json:"personas"`
	Items        int              `json:"items"`
	Scored       int              `json:"scored"`
	JudgeErrors  int              `json:"judgeErrors"`
	Abstentions  int              `json:"abstentions"`
	ItemErrors   []ItemError      `json:"itemErrors,omitempty"`
	// Agreement with human scores, over scored items that carry one.
	Agreement *Agreement `json:"agreement,omitempty"`
	// AgentCalls and GeneratorCalls count the model calls this run made
	// (cache misses); a rerun of the same inputs makes none.
	AgentCalls     int64   `json:"agentCalls"`
	GeneratorCalls int64   `json:"generatorCalls"`
	Wall           float64 `json:"wallSeconds"`
	// JudgedThisRun items were judged in JudgeWall seconds of judging:
	// their ratio is the run's judging throughput.
	JudgedThisRun int     `json:"judgedThisRun"`
	JudgeWall     float64 `json:"judgeWallSeconds"`
}

// Summarize reports on a results file. Judge errors and abstentions never
// count as a score: they are left out of every mean and counted.
func Summarize(resultsPath string, personas []Persona, seed uint64, samples int) (*Summary, error) {
	results, err := ReadResults(resultsPath)
	if err != nil {
		return nil, err
	}
	return SummarizeResults(results, personas, seed, samples), nil
}

// SummarizeResults reports on a run's results however they were read (a
// results file, or a run stored by the service); personas, when given,
// name the personas by index.
func SummarizeResults(results []Result, personas []Persona, seed uint64, samples int) *Summary {
	opt := stats.BootstrapOptions{Seed: seed, Samples: samples}
	s := &Summary{Items: len(results)}
	byPersona := map[int][]judges.PersonaItem{}
	taskScores := map[pb.AdherenceTaskKind][]float64{}
	tasks := map[pb.AdherenceTaskKind]*TaskSummary{}
	for _, t := range judges.AdherenceTasks {
		tasks[t] = &TaskSummary{Task: TaskName(t)}
	}
	for _, r := range results {
		ts := tasks[r.Task]
		ts.Items++
		it := judges.PersonaItem{Task: r.Task}
		switch {
		case r.Score != nil:
			it.Evaluators = [][]float64{{*r.Score}}
			ts.Scored++
			s.Scored++
			taskScores[r.Task] = append(taskScores[r.Task], *r.Score)
		case r.Status == pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN:
			it.Abstained = true
			ts.Abstentions++
			s.Abstentions++
		default:
			ts.JudgeErrors++
			s.JudgeErrors++
		}
		byPersona[r.Persona] = append(byPersona[r.Persona], it)
	}
	var judged, human []float64
	for _, r := range results {
		if r.Score != nil && r.Human != nil {
			judged, human = append(judged, *r.Score), append(human, *r.Human)
		}
	}
	if len(judged) > 0 {
		a := Agree(judged, human)
		s.Agreement = &a
	}
	var personaScores []float64
	personaTask := map[pb.AdherenceTaskKind][]float64{}
	idx := make([]int, 0, len(byPersona))
	for i := range byPersona {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		roll := judges.RollUpPersona(byPersona[i], seed, samples)
		ps := PersonaSummary{Index: i, Tasks: map[string]float64{}}
		if i < len(personas) {
			ps.Persona = personas[i].Description
		}
		for _, ts := range roll.Tasks {
			if ts.Mean != nil {
				ps.Tasks[TaskName(ts.Task)] = *ts.Mean
				personaTask[ts.Task] = append(personaTask[ts.Task], *ts.Mean)
			}
		}
		for _, m := range roll.Missing {
			ps.MissingTasks = append(ps.MissingTasks, TaskName(m))
		}
		if roll.Score != nil {
			ps.Score = roll.Score
			ps.Interval = &[2]float64{roll.Interval.Lower, roll.Interval.Upper}
			personaScores = append(personaScores, *roll.Score)
		}
		s.Personas = append(s.Personas, ps)
	}
	s.PersonaScore = stats.MeanEstimate(personaScores, opt)
	for _, t := range judges.AdherenceTasks {
		ts := tasks[t]
		ts.OverPersonas = stats.MeanEstimate(personaTask[t], opt)
		ts.OverQuestions = stats.MeanEstimate(taskScores[t], opt)
		s.Tasks = append(s.Tasks, *ts)
	}
	return s
}

// WriteJSON writes the summary as indented JSON. NaN (no data) is written
// as null.
func (s *Summary) WriteJSON(path string) error {
	b, err := json.MarshalIndent(nanFree(s), "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// nanFree copies the summary with NaN estimates zeroed to n=0 values that
// JSON can carry (encoding/json refuses NaN).
func nanFree(s *Summary) *Summary {
	c := *s
	fix := func(e stats.Estimate) stats.Estimate {
		if math.IsNaN(e.Value) || math.IsNaN(e.Lower) || math.IsNaN(e.Upper) {
			return stats.Estimate{Level: e.Level, N: e.N}
		}
		return e
	}
	c.PersonaScore = fix(c.PersonaScore)
	c.Tasks = append([]TaskSummary(nil), s.Tasks...)
	for i := range c.Tasks {
		c.Tasks[i].OverPersonas = fix(c.Tasks[i].OverPersonas)
		c.Tasks[i].OverQuestions = fix(c.Tasks[i].OverQuestions)
	}
	return &c
}

func fmtEst(e stats.Estimate) string {
	if math.IsNaN(e.Value) {
		return "-"
	}
	return fmt.Sprintf("%.3f [%.3f, %.3f] n=%d", e.Value, e.Lower, e.Upper, e.N)
}

// Print writes the summary for people.
func (s *Summary) Print(w io.Writer) {
	fmt.Fprintf(w, "PersonaScore over %d personas: %s (95%% bootstrap over personas)\n", s.PersonaScore.N, fmtEst(s.PersonaScore))
	fmt.Fprintf(w, "items %d: scored %d, judge errors %d, abstentions %d (neither counts as a score), not prepared %d\n",
		s.Items, s.Scored, s.JudgeErrors, s.Abstentions, len(s.ItemErrors))
	fmt.Fprintf(w, "%-22s %-36s %s\n", "task", "over personas", "over questions")
	for _, t := range s.Tasks {
		fmt.Fprintf(w, "%-22s %-36s %s\n", t.Task, fmtEst(t.OverPersonas), fmtEst(t.OverQuestions))
	}
	if a := s.Agreement; a != nil {
		fmt.Fprintf(w, "against human scores (n=%d): right within ±%.1f %.3f, MAE %.3f, Spearman %s, Kendall tau-b %s\n",
			a.N, judges.ScoreTolerance, a.Right, a.MAE, fmtOpt(a.Spearman), fmtOpt(a.Kendall))
	}
	for _, e := range s.ItemErrors {
		fmt.Fprintf(w, "not prepared: %s: %s\n", e.ItemID, e.Error)
	}
	fmt.Fprintf(w, "agent calls %d, generator calls %d (cached answers and examples make none), %.1fs\n", s.AgentCalls, s.GeneratorCalls, s.Wall)
	if s.JudgedThisRun > 0 && s.JudgeWall > 0 {
		fmt.Fprintf(w, "judged this run: %d answers in %.1fs, %.1f answers/s\n", s.JudgedThisRun, s.JudgeWall, float64(s.JudgedThisRun)/s.JudgeWall)
	}
}

func fmtOpt(x *float64) string {
	if x == nil {
		return "undefined"
	}
	return fmt.Sprintf("%.3f", *x)
}
