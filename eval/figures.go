package eval

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/personajudge/personajudge/metrics"
	"github.com/personajudge/personajudge/stats"
)

// PersonaVariantTag is the tag of sibling items that differ only in the
// persona shown (a feature ablation, or the no-persona control); the
// summary puts their figures side by side.
const PersonaVariantTag = "persona_variant"

// bootstrap fixes the summary's resampling: seeded, so a summary of the
// same results file is the same every time.
var bootstrap = stats.BootstrapOptions{Seed: 1}

// figureMap computes every figure once per set of results.
func (s *Summary) figureMap() map[string]metrics.Figure {
	if s.computed == nil {
		s.computed = map[string]metrics.Figure{}
		for _, f := range s.figures.Figures(bootstrap) {
			s.computed[f.Name] = f
		}
	}
	return s.computed
}

// Figures returns every figure of the run, in report order, each with n
// and a 95% bootstrap interval over items (NaN with n = 0 when the run
// cannot measure it).
func (s *Summary) Figures() []metrics.Figure {
	m := s.figureMap()
	out := make([]metrics.Figure, 0, len(m))
	for _, name := range metrics.Names() {
		out = append(out, m[name])
	}
	return out
}

func (s *Summary) figure(name string) metrics.Figure { return s.figureMap()[name] }

// Figures over a subset of the results (a tag slice, a persona variant).
func figuresOf(c *metrics.Collector) map[string]metrics.Figure {
	out := map[string]metrics.Figure{}
	for _, f := range c.Figures(bootstrap) {
		out[f.Name] = f
	}
	return out
}

// interval renders a figure as "0.7500 [0.6500, 0.8400] n = 80".
func interval(f metrics.Figure) string {
	if f.N == 0 || math.IsNaN(f.Value) {
		return "n/a (n = 0)"
	}
	if math.IsNaN(f.Lower) {
		return fmt.Sprintf("%.4f [interval n/a] n = %d", f.Value, f.N)
	}
	return fmt.Sprintf("%.4f [%.4f, %.4f] n = %d", f.Value, f.Lower, f.Upper, f.N)
}

// printFigures writes the quality part of the report: every measurable
// figure with its interval, the high-certainty counts, the tag slices and
// the persona variants side by side.
func (s *Summary) printFigures(w io.Writer) {
	if s.Labelled == 0 {
		fmt.Fprintf(w, "  accuracy        n/a (no item carries a label)\n")
	}
	fmt.Fprintf(w, "  figures         value [95%% bootstrap interval over items] n\n")
	for _, f := range s.Figures() {
		if f.N == 0 {
			continue
		}
		fmt.Fprintf(w, "    %-24s %-40s %s\n", f.Name, interval(f), f.About)
	}
	fmt.Fprintf(w, "  high certainty  %d results; %d of %d labelled high-certainty verdicts right (%d results carry a calibrated probability)\n",
		s.HighCertainty, s.HighCorrect, s.HighLabelled, s.Calibrated)
	if sl := s.Slices(); len(sl) > 0 {
		fmt.Fprintf(w, "  by tag          results, judge errors, accuracy on labelled verdicts\n")
		for i, x := range sl {
			if i == 20 {
				fmt.Fprintf(w, "    ... %d more tags (see --summary-json)\n", len(sl)-i)
				break
			}
			fmt.Fprintf(w, "    %-30s %6d  %5d  %s\n", x.Tag, x.Results, x.JudgeErrors, interval(x.accuracy))
		}
	}
	if v := s.Variants(); len(v) > 0 {
		fmt.Fprintf(w, "  persona variants side by side (tag %s)\n", PersonaVariantTag)
		for _, x := range v {
			fmt.Fprintf(w, "    %-16s accuracy %s; kappa %s; coverage %s\n", x.Variant,
				interval(x.figures["accuracy"]), interval(x.figures["kappa"]), interval(x.figures["coverage"]))
		}
	}
}

// Slice is the results that carry one caller tag.
type Slice struct {
	Tag              string          `json:"tag"` // key=value
	Results          int             `json:"results"`
	JudgeErrors      int             `json:"judge_errors"`
	LabelledVerdicts int             `json:"labelled_verdicts"`
	Correct          int             `json:"correct"`
	Accuracy         *stats.Estimate `json:"accuracy,omitempty"`

	accuracy metrics.Figure
}

// Slices returns the per-tag counts and accuracy with its interval, sorted
// by tag.
func (s *Summary) Slices() []Slice {
	out := make([]Slice, 0, len(s.slices))
	for _, x := range s.slices {
		out = append(out, *x)
	}
	slices.SortFunc(out, func(a, b Slice) int { return strings.Compare(a.Tag, b.Tag) })
	for i := range out {
		k, v, _ := strings.Cut(out[i].Tag, "=")
		out[i].accuracy, _ = s.figures.WithTag(k, v).Figure("accuracy", bootstrap)
		if out[i].accuracy.N > 0 {
			e := out[i].accuracy.Estimate
			out[i].Accuracy = &e
		}
	}
	return out
}

// Variant is the figures of the items of one persona variant.
type Variant struct {
	Variant string
	figures map[string]metrics.Figure
}

// Variants returns the figures per persona variant (items tagged
// persona_variant=...), sorted by variant name.
func (s *Summary) Variants() []Variant {
	var out []Variant
	for _, v := range s.figures.TagValues(PersonaVariantTag) {
		out = append(out, Variant{Variant: v, figures: figuresOf(s.figures.WithTag(PersonaVariantTag, v))})
	}
	return out
}
