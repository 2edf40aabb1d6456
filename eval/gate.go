package eval

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/personajudge/personajudge/metrics"
)

// Gate is one --fail-on rule: the run fails when Metric Op Value holds
// ("judge_error_rate>0.02" fails when more than 2% of results are judge
// errors). Bound "lower" or "upper" compares that end of the metric's 95%
// bootstrap interval instead of its value ("accuracy.lower<0.8" fails
// unless the run shows accuracy above 0.8 with confidence).
type Gate struct {
	Metric string
	Bound  string // "", "lower" or "upper"
	Op     string // one of <, <=, >, >=
	Value  float64
}

func (g Gate) name() string {
	if g.Bound != "" {
		return g.Metric + "." + g.Bound
	}
	return g.Metric
}

func (g Gate) String() string { return g.name() + g.Op + strconv.FormatFloat(g.Value, 'g', -1, 64) }

// MetricNames lists the metrics a gate may name, sorted.
func MetricNames() []string {
	names := metrics.Names()
	slices.Sort(names)
	return names
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
		if m, b, ok := strings.Cut(g.Metric, "."); ok {
			if b != "lower" && b != "upper" {
				return nil, fmt.Errorf("rule %q: unknown bound %q (known: lower, upper)", rule, b)
			}
			g.Metric, g.Bound = m, b
		}
		rest := rule[i+1:]
		if strings.HasPrefix(rest, "=") {
			g.Op += "="
			rest = rest[1:]
		}
		if _, ok := metrics.About(g.Metric); !ok {
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
// gate that cannot be checked must not pass silently; so does a bound
// whose interval could not be computed.
func (s *Summary) Breaches(gates []Gate) []string {
	var out []string
	for _, g := range gates {
		f := s.figure(g.Metric)
		v := f.Value
		switch g.Bound {
		case "lower":
			v = f.Lower
		case "upper":
			v = f.Upper
		}
		if f.N == 0 || math.IsNaN(v) {
			out = append(out, fmt.Sprintf("%s: %s cannot be measured on this run (n = %d)", g, g.name(), f.N))
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
		if hit && g.Bound != "" {
			out = append(out, fmt.Sprintf("%s: %s is %.4f (%s %s)", g, g.name(), v, g.Metric, interval(f)))
		} else if hit {
			out = append(out, fmt.Sprintf("%s: %s is %.4f (n = %d)", g, g.Metric, v, f.N))
		}
	}
	return out
}
