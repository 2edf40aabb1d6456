package metrics

import (
	"math"

	"github.com/personajudge/personajudge/calibration"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/stats"
)

// Figure is one named figure with its point value, n and bootstrap
// interval (Value, Lower and Upper are NaN when N is 0: not measurable on
// these results).
type Figure struct {
	Name  string
	About string
	stats.Estimate
}

// definition says which results a figure rests on and how it is computed
// from a resample of them.
type definition struct {
	name, about string
	// of selects the results the figure rests on (its n).
	of func(u *unit) bool
	// stat is the figure over the resample idx of the selected units.
	stat func(us []*unit, idx []int) float64
	// quadratic marks a statistic that costs O(n^2) per resample, whose
	// resamples are thinned on large n (see samplesFor).
	quadratic bool
}

// share is the fraction of the selected units for which hit holds.
func share(hit func(u *unit) bool) func([]*unit, []int) float64 {
	return func(us []*unit, idx []int) float64 {
		k := 0
		for _, i := range idx {
			if hit(us[i]) {
				k++
			}
		}
		return float64(k) / float64(len(idx))
	}
}

// mean is the mean of x over the selected units.
func mean(x func(u *unit) float64) func([]*unit, []int) float64 {
	return func(us []*unit, idx []int) float64 {
		var s float64
		for _, i := range idx {
			s += x(us[i])
		}
		return s / float64(len(idx))
	}
}

func isStatus(st pb.JudgmentStatus) func(u *unit) bool {
	return func(u *unit) bool { return u.status == st }
}

func all(*unit) bool { return true }

// definitions are every figure, in report order. Names are what gates
// and the metrics RPC use; they never change meaning.
var definitions = []definition{
	{name: "accuracy", about: "share of labelled verdicts that are right",
		of: func(u *unit) bool { return u.labelled && u.verdict }, stat: share(func(u *unit) bool { return u.correct })},
	{name: "coverage", about: "share of labelled items with a verdict",
		of: func(u *unit) bool { return u.labelled }, stat: share(func(u *unit) bool { return u.verdict })},
	{name: "kappa", about: "Cohen's kappa of verdicts against choice labels (a tie is a category)",
		of: func(u *unit) bool { return u.kappaOK }, stat: kappa},
	{name: "high_certainty_accuracy", about: "share of labelled high-certainty verdicts that are right",
		of: func(u *unit) bool { return u.high && u.labelled && u.verdict }, stat: share(func(u *unit) bool { return u.correct })},
	{name: "high_certainty_coverage", about: "share of results flagged high certainty",
		of: all, stat: share(func(u *unit) bool { return u.high })},
	{name: "stated_tie_rate", about: "share of choice verdicts that are ties the judge stated",
		of: func(u *unit) bool { return u.choiceVerdict }, stat: share(func(u *unit) bool { return u.tieStated })},
	{name: "disagreement_tie_rate", about: "share of choice verdicts that are ties from disagreeing orders",
		of: func(u *unit) bool { return u.choiceVerdict }, stat: share(func(u *unit) bool { return u.tieDisagree })},
	{name: "judge_error_rate", about: "share of results that are JUDGE_ERROR",
		of: all, stat: share(isStatus(pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR))},
	{name: "invalid_rate", about: "share of results that are INVALID (bad input)",
		of: all, stat: share(isStatus(pb.JudgmentStatus_JUDGMENT_STATUS_INVALID))},
	{name: "abstain_rate", about: "share of results that are ABSTAIN",
		of: all, stat: share(isStatus(pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN))},
	{name: "consistency", about: "mean position consistency of judged items",
		of: func(u *unit) bool { return u.voted }, stat: mean(func(u *unit) float64 { return u.consistency })},
	{name: "first_shown_win_rate", about: "share of choice votes that chose the option shown first (n: items)",
		of: func(u *unit) bool { return u.choiceVotes > 0 }, stat: ratio(func(u *unit) (float64, float64) { return float64(u.firstShown), float64(u.choiceVotes) })},
	{name: "first_shown_chance", about: "what first_shown_win_rate would be for a judge blind to position (mean 1/K over votes)",
		of: func(u *unit) bool { return u.choiceVotes > 0 }, stat: ratio(func(u *unit) (float64, float64) { return u.chance, float64(u.choiceVotes) })},
	{name: "single_order_error_rate", about: "share of labelled items the first order alone got wrong",
		of: func(u *unit) bool { return u.singleOrder }, stat: share(func(u *unit) bool { return u.singleWrong })},
	{name: "top1_accuracy", about: "share of K>=3 labelled items whose true option is the judge's most probable",
		of: func(u *unit) bool { return u.ranked }, stat: share(func(u *unit) bool { return u.rank == 1 })},
	{name: "top2_accuracy", about: "share of K>=3 labelled items whose true option is among the judge's two most probable",
		of: func(u *unit) bool { return u.ranked }, stat: share(func(u *unit) bool { return u.rank <= 2 })},
	{name: "mean_rank", about: "mean rank of the true option in the judge's distribution (K>=3)",
		of: func(u *unit) bool { return u.ranked }, stat: mean(func(u *unit) float64 { return float64(u.rank) })},
	{name: "brier", about: "Brier score of the judge's distribution (K>=3)",
		of: func(u *unit) bool { return u.ranked }, stat: mean(func(u *unit) float64 { return u.brier })},
	{name: "ece20", about: "ECE (20 bins) of the top option's probability (K>=3)",
		of: func(u *unit) bool { return u.ranked }, stat: ece20},
	{name: "mae", about: "mean absolute error of judge scores against human scores (adherence)",
		of: func(u *unit) bool { return u.scored }, stat: mean(func(u *unit) float64 { return math.Abs(u.judgeScore - u.humanScore) })},
	{name: "spearman", about: "Spearman rank correlation of judge scores with human scores (adherence)",
		of: func(u *unit) bool { return u.scored }, stat: paired(stats.Spearman)},
	{name: "kendall", about: "Kendall tau-b of judge scores with human scores (adherence)",
		of: func(u *unit) bool { return u.scored }, stat: paired(stats.KendallTauB), quadratic: true},
}

// ratio is sum(num) / sum(den) over the resample: a rate over votes with
// items as the resampled unit.
func ratio(f func(u *unit) (num, den float64)) func([]*unit, []int) float64 {
	return func(us []*unit, idx []int) float64 {
		var a, b float64
		for _, i := range idx {
			n, d := f(us[i])
			a, b = a+n, b+d
		}
		return a / b
	}
}

func paired(f func(x, y []float64) float64) func([]*unit, []int) float64 {
	return func(us []*unit, idx []int) float64 {
		x, y := make([]float64, len(idx)), make([]float64, len(idx))
		for k, i := range idx {
			x[k], y[k] = us[i].judgeScore, us[i].humanScore
		}
		return f(x, y)
	}
}

func ece20(us []*unit, idx []int) float64 {
	p, r := make([]float64, len(idx)), make([]bool, len(idx))
	for k, i := range idx {
		p[k], r[k] = us[i].topProb, us[i].topRight
	}
	return calibration.ECE(p, r, 20)
}

// kappa is Cohen's kappa between verdict and label categories over the
// resample; 1 when one category holds throughout and all agree.
// Categories are -1 (tie) and options 0..9, counted in arrays: this runs
// once per resample.
func kappa(us []*unit, idx []int) float64 {
	agree := 0
	var byVerdict, byLabel [maxCategories + 1]int
	for _, i := range idx {
		u := us[i]
		if u.verdictCat == u.labelCat {
			agree++
		}
		byVerdict[u.verdictCat+1]++
		byLabel[u.labelCat+1]++
	}
	n := float64(len(idx))
	po := float64(agree) / n
	var pe float64
	for cat := range byVerdict {
		pe += float64(byVerdict[cat]) / n * float64(byLabel[cat]) / n
	}
	if pe == 1 {
		return 1
	}
	return (po - pe) / (1 - pe)
}

// maxCategories bounds the options a choice can name (role identification
// takes at most 10 candidates); a category beyond it is not counted for
// kappa.
const maxCategories = 16

// Names lists every figure's name in report order.
func Names() []string {
	out := make([]string, len(definitions))
	for i, d := range definitions {
		out[i] = d.name
	}
	return out
}

// About says what a named figure measures; false for an unknown name.
func About(name string) (string, bool) {
	for _, d := range definitions {
		if d.name == name {
			return d.about, true
		}
	}
	return "", false
}

// quadraticBudget bounds the pair comparisons of an O(n^2) statistic's
// resamples (Kendall's tau-b): beyond it the resamples are thinned, never
// below 200, so a figure over a large ledger stays a matter of seconds.
const quadraticBudget = 4e8

func samplesFor(d definition, n int, o stats.BootstrapOptions) stats.BootstrapOptions {
	if !d.quadratic || n < 2 {
		return o
	}
	want := o.Samples
	if want <= 0 {
		want = stats.DefaultSamples
	}
	if limit := int(quadraticBudget / (float64(n) * float64(n) / 2)); limit < want {
		o.Samples = max(200, limit)
	}
	return o
}
