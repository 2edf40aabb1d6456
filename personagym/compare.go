package personagym

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
	"github.com/personajudge/personajudge/stats"
)

// TaskComparison is B - A on one task over the questions both runs scored.
type TaskComparison struct {
	Task string `json:"task"`
	stats.Comparison
}

// Comparison says whether run B is better than run A: per task, paired by
// question, and overall, paired by persona (PersonaScore), each with a
// paired bootstrap interval and a sign-flip permutation p-value
// (stats.Paired). Only units scored in both runs are paired; an item that
// is a judge error in either run is left out of its pair and counted.
type Comparison struct {
	Overall stats.Comparison `json:"overall"`
	Tasks   []TaskComparison `json:"tasks"`
	// Unpaired counts items scored in one run only (judge errors, items
	// missing from a run).
	Unpaired int `json:"unpaired"`
}

// Compare pairs two runs' results files on the same personas file.
func Compare(resultsA, resultsB string, seed uint64, samples int) (*Comparison, error) {
	a, err := ReadResults(resultsA)
	if err != nil {
		return nil, err
	}
	b, err := ReadResults(resultsB)
	if err != nil {
		return nil, err
	}
	return CompareResults(a, b, seed, samples)
}

// ErrNoSharedQuestions is CompareResults' answer for two runs that have no
// item in common: there is nothing to pair.
var ErrNoSharedQuestions = errors.New("the runs share no question")

// CompareResults pairs two runs' results by item id, however they were
// read (results files, or runs stored by the service).
func CompareResults(a, b []Result, seed uint64, samples int) (*Comparison, error) {
	opt := stats.BootstrapOptions{Seed: seed, Samples: samples}
	scoreOf := func(rs []Result) map[string]Result {
		m := map[string]Result{}
		for _, r := range rs {
			m[r.ItemID] = r
		}
		return m
	}
	ma, mb := scoreOf(a), scoreOf(b)
	ids := make([]string, 0, len(ma))
	for id := range ma {
		ids = append(ids, id)
	}
	for id := range mb {
		if _, ok := ma[id]; !ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == len(ma)+len(mb) {
		return nil, ErrNoSharedQuestions
	}
	sort.Strings(ids)
	c := &Comparison{}
	type pair struct{ a, b []float64 }
	byTask := map[pb.AdherenceTaskKind]*pair{}
	var paired []Result // the A side of every scored pair, for the persona roll-up
	var pairedB []Result
	for _, id := range ids {
		ra, okA := ma[id]
		rb, okB := mb[id]
		if !okA || !okB || ra.Score == nil || rb.Score == nil {
			c.Unpaired++
			continue
		}
		p := byTask[ra.Task]
		if p == nil {
			p = &pair{}
			byTask[ra.Task] = p
		}
		p.a, p.b = append(p.a, *ra.Score), append(p.b, *rb.Score)
		paired, pairedB = append(paired, ra), append(pairedB, rb)
	}
	for _, t := range judges.AdherenceTasks {
		p := byTask[t]
		if p == nil {
			p = &pair{}
		}
		cmp, err := stats.Paired(p.a, p.b, opt)
		if err != nil {
			return nil, err
		}
		c.Tasks = append(c.Tasks, TaskComparison{Task: TaskName(t), Comparison: cmp})
	}
	// Overall: each persona's PersonaScore over the same paired questions.
	// Only the point scores are used: one resample keeps the roll-up cheap.
	sa, sb := SummarizeResults(paired, nil, seed, 1), SummarizeResults(pairedB, nil, seed, 1)
	var xa, xb []float64
	for i, ps := range sa.Personas {
		if ps.Score != nil && sb.Personas[i].Score != nil {
			xa, xb = append(xa, *ps.Score), append(xb, *sb.Personas[i].Score)
		}
	}
	var err error
	if c.Overall, err = stats.Paired(xa, xb, opt); err != nil {
		return nil, err
	}
	return c, nil
}

// Print writes the comparison for people; alpha marks significant rows.
func (c *Comparison) Print(w io.Writer, alpha float64) {
	row := func(name string, x stats.Comparison) {
		mark := ""
		if x.PValue < alpha {
			mark = " *"
		}
		if math.IsNaN(x.Diff.Value) {
			fmt.Fprintf(w, "%-22s no paired units\n", name)
			return
		}
		fmt.Fprintf(w, "%-22s %+.3f [%+.3f, %+.3f] n=%-5d p=%.4f  B better %d, worse %d%s\n",
			name, x.Diff.Value, x.Diff.Lower, x.Diff.Upper, x.Diff.N, x.PValue, x.Better, x.Worse, mark)
	}
	fmt.Fprintf(w, "B - A, paired (95%% bootstrap interval; p: sign-flip permutation; * p < %g)\n", alpha)
	row("PersonaScore (personas)", c.Overall)
	for _, t := range c.Tasks {
		row(t.Task+" (questions)", t.Comparison)
	}
	fmt.Fprintf(w, "unpaired items (scored in one run only): %d\n", c.Unpaired)
}
