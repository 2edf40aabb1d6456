package eval

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// Gate is one --fail-on rule: the run fails when Metric Op Value holds
// ("judge_error_rate>0.02" fails when more than 2% of results are judge
// errors).
type Gate struct {
	Metric string
	Op     string // one of <, <=, >, >=
	Value  float64
}

func (g Gate) String() string { return g.Metric + g.Op + strconv.FormatFloat(g.Value, 'g', -1, 64) }

// metrics are the figures a gate may name, each computed from a Summary
// with the count it rests on (0: it cannot be measured on this run).
var metrics = map[string]struct {
	about string
	value func(s *Summary) (v float64, n int)
}{
	"accuracy":             {"share of labelled verdicts that are right", func(s *Summary) (float64, int) { return frac(s.Correct, s.LabelledVerdicts) }},
	"coverage":             {"share of labelled items with a verdict", func(s *Summary) (float64, int) { return frac(s.LabelledVerdicts, s.Labelled) }},
	"kappa":                {"Cohen's kappa of verdicts against choice labels", func(s *Summary) (float64, int) { return s.kappa() }},
	"judge_error_rate":     {"share of results that are JUDGE_ERROR", func(s *Summary) (float64, int) { return s.statusRate(pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR) }},
	"invalid_rate":         {"share of results that are INVALID (bad input)", func(s *Summary) (float64, int) { return s.statusRate(pb.JudgmentStatus_JUDGMENT_STATUS_INVALID) }},
	"abstain_rate":         {"share of results that are ABSTAIN", func(s *Summary) (float64, int) { return s.statusRate(pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN) }},
	"consistency":          {"mean position consistency of judged items", func(s *Summary) (float64, int) { return s.ConsistencySum / math.Max(1, float64(s.Voted)), s.Voted }},
	"first_shown_win_rate": {"share of choice votes that chose the option shown first", func(s *Summary) (float64, int) { return frac(s.position.firstShownWins, s.position.choiceVotes) }},
	"single_order_error_rate": {"share of labelled items the first order alone got wrong", func(s *Summary) (float64, int) {
		return frac(s.position.singleOrderWrong, s.position.singleOrderLabelled)
	}},
	"top1_accuracy": {"share of K>=3 labelled items whose true option is the judge's most probable", func(s *Summary) (float64, int) { return frac(s.ranking.top1, s.ranking.n) }},
	"top2_accuracy": {"share of K>=3 labelled items whose true option is among the judge's two most probable", func(s *Summary) (float64, int) { return frac(s.ranking.top2, s.ranking.n) }},
	"mean_rank": {"mean rank of the true option in the judge's distribution (K>=3)", func(s *Summary) (float64, int) {
		return float64(s.ranking.rankSum) / float64(max(1, s.ranking.n)), s.ranking.n
	}},
	"brier": {"Brier score of the judge's distribution (K>=3)", func(s *Summary) (float64, int) {
		return s.ranking.brierSum / float64(max(1, s.ranking.n)), s.ranking.n
	}},
	"ece20":                   {"ECE (20 bins) of the top option's probability (K>=3)", func(s *Summary) (float64, int) { return s.ranking.ece20(), s.ranking.n }},
	"high_certainty_coverage": {"share of results flagged high certainty", func(s *Summary) (float64, int) { return frac(s.HighCertainty, s.Results) }},
	"high_certainty_accuracy": {"share of labelled high-certainty verdicts that are right", func(s *Summary) (float64, int) { return frac(s.HighCorrect, s.HighLabelled) }},
}

// MetricNames lists the metrics a gate may name, sorted.
func MetricNames() []string {
	names := make([]string, 0, len(metrics))
	for n := range metrics {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func frac(a, b int) (float64, int) {
	if b == 0 {
		return 0, 0
	}
	return float64(a) / float64(b), b
}

func (s *Summary) statusRate(st pb.JudgmentStatus) (float64, int) {
	return frac(s.ByStatus[st], s.Results)
}

// ParseGates reads comma-separated rules such as
// "judge_error_rate>0.02,accuracy<0.8". An unknown metric, operator or
// number is an error naming it.
func ParseGates(spec string) ([]Gate, error) {
	var gates []Gate
	for _, rule := range strings.Split(spec, ",") {
		rule = strings.TrimSpace(rule)
		if rule == "" {
			continue
		}
		i := strings.IndexAny(rule, "<>")
		if i <= 0 {
			return nil, fmt.Errorf("rule %q: want METRIC<VALUE or METRIC>VALUE (also <=, >=)", rule)
		}
		g := Gate{Metric: strings.TrimSpace(rule[:i]), Op: rule[i : i+1]}
		rest := rule[i+1:]
		if strings.HasPrefix(rest, "=") {
			g.Op += "="
			rest = rest[1:]
		}
		if _, ok := metrics[g.Metric]; !ok {
			return nil, fmt.Errorf("rule %q: unknown metric %q (known: %s)", rule, g.Metric, strings.Join(MetricNames(), ", "))
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("rule %q: threshold %q is not a number", rule, strings.TrimSpace(rest))
		}
		g.Value = v
		gates = append(gates, g)
	}
	if len(gates) == 0 {
		return nil, fmt.Errorf("no rule in %q", spec)
	}
	return gates, nil
}

// Breaches returns, for every gate the summary breaches, a line naming the
// rule and the measured value with its n. A metric that cannot be measured
// on this run (no labelled items for accuracy, say) breaches its gate: a
// gate that cannot be checked must not pass silently.
func (s *Summary) Breaches(gates []Gate) []string {
	var out []string
	for _, g := range gates {
		v, n := metrics[g.Metric].value(s)
		if n == 0 {
			out = append(out, fmt.Sprintf("%s: %s cannot be measured on this run (n = 0)", g, g.Metric))
			continue
		}
		var hit bool
		switch g.Op {
		case "<":
			hit = v < g.Value
		case "<=":
			hit = v <= g.Value
		case ">":
			hit = v > g.Value
		case ">=":
			hit = v >= g.Value
		}
		if hit {
			out = append(out, fmt.Sprintf("%s: %s is %.4f (n = %d)", g, g.Metric, v, n))
		}
	}
	return out
}

// kappa is Cohen's kappa between verdicts and choice labels (a tie is a
// category of its own) over labelled verdicts with a choice or tie label.
func (s *Summary) kappa() (float64, int) {
	n := 0
	agree := 0
	byVerdict, byLabel := map[int]int{}, map[int]int{}
	for pair, c := range s.confusion {
		n += c
		if pair[0] == pair[1] {
			agree += c
		}
		byVerdict[pair[0]] += c
		byLabel[pair[1]] += c
	}
	if n == 0 {
		return 0, 0
	}
	po := float64(agree) / float64(n)
	var pe float64
	for cat, c := range byVerdict {
		pe += float64(c) / float64(n) * float64(byLabel[cat]) / float64(n)
	}
	if pe == 1 {
		return 1, n // one category throughout, all agreeing
	}
	return (po - pe) / (1 - pe), n
}

// category is a verdict's or label's choice, -1 for a tie, and false for
// anything else (a rubric score, no verdict).
func category(tie bool, choice *int32) (int, bool) {
	switch {
	case tie:
		return -1, true
	case choice != nil:
		return int(*choice), true
	}
	return 0, false
}
