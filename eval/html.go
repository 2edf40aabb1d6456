package eval

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strings"

	"github.com/personajudge/personajudge/calibration"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
)

// reportPoint is one labelled verdict as the HTML report plots it: the
// probability the service gave it (calibrated when a calibrator was
// active, else the identity map of the verbal certainty) and whether it
// was right.
type reportPoint struct {
	item       string
	prob       float64
	calibrated bool
	correct    bool
}

// addReportPoint keeps what the HTML report needs of a labelled verdict.
func (s *Summary) addReportPoint(r *pb.ScoreResponse, label *pb.Label) {
	if label == nil || r.Status != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT {
		return
	}
	p := reportPoint{item: r.ItemId, correct: judges.VerdictCorrect(r.Verdict, label)}
	if r.CalibratedProbability != nil {
		p.prob, p.calibrated = r.GetCalibratedProbability(), true
	} else {
		p.prob = calibration.IdentityFromNormalized(r.VerbalCertainty, max(len(r.Distribution), 2))
	}
	s.points = append(s.points, p)
}

const svgSize = 260

// svgPlot is a square plot in the unit square: axes, a diagonal when
// wanted, bars or a polyline, drawn in inline SVG so the page needs
// nothing else.
type svgPlot struct {
	Title, XLabel, YLabel string
	Diagonal              bool
	Bars                  []svgBar
	Line                  string // polyline points
}

type svgBar struct{ X, Y, W, H float64 }

func px(v float64) float64 { return math.Round((20+v*(svgSize-40))*10) / 10 }
func py(v float64) float64 { return math.Round((svgSize-20-v*(svgSize-40))*10) / 10 }

// reliabilityPlot bars each bin's accuracy at its range.
func reliabilityPlot(pts []reportPoint) svgPlot {
	probs, correct := make([]float64, len(pts)), make([]bool, len(pts))
	for i, p := range pts {
		probs[i], correct[i] = p.prob, p.correct
	}
	pl := svgPlot{Title: "Reliability (10 bins)", XLabel: "probability given", YLabel: "share right", Diagonal: true}
	for _, b := range calibration.Evaluate(probs, correct).Bins {
		if b.Count == 0 {
			continue
		}
		pl.Bars = append(pl.Bars, svgBar{X: px(b.Lo), Y: py(b.Accuracy), W: px(b.Hi) - px(b.Lo) - 1, H: py(0) - py(b.Accuracy)})
	}
	return pl
}

// riskCoveragePlot draws the error rate among the kept verdicts against
// the share kept, most probable first.
func riskCoveragePlot(pts []reportPoint) svgPlot {
	probs, correct := make([]float64, len(pts)), make([]bool, len(pts))
	for i, p := range pts {
		probs[i], correct[i] = p.prob, p.correct
	}
	pl := svgPlot{Title: "Risk-coverage", XLabel: "coverage", YLabel: "risk (share wrong)"}
	var b strings.Builder
	for _, c := range calibration.RiskCoverage(probs, correct) {
		fmt.Fprintf(&b, "%.1f,%.1f ", px(c.Coverage), py(c.Risk))
	}
	pl.Line = strings.TrimSpace(b.String())
	return pl
}

type htmlFigure struct {
	Name, About, Value, Interval string
	N                            int
}

type htmlWorst struct {
	Item string
	Prob float64
}

type htmlDoc struct {
	ResultsFile string
	Results     int
	Status      []struct {
		Name string
		N    int
	}
	Figures  []htmlFigure
	Slices   []Slice
	Variants []struct{ Name, Accuracy, Kappa string }
	Reasons  []reasonJSON
	Plots    []svgPlot
	Worst    []htmlWorst
	Points   int
	Gates    []GateResult
	Size     int
}

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct": func(p float64) string { return fmt.Sprintf("%.3f", p) },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>personajudge eval: {{.ResultsFile}}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:1em 0}
td,th{border-bottom:1px solid #ddd;padding:.2em .6em;text-align:left}td.n{text-align:right}svg{margin-right:2em}
.breached{color:#b00}</style></head><body>
<h1>Evaluation of {{.ResultsFile}}</h1>
<p>{{.Results}} results:{{range .Status}} {{.Name}} {{.N}};{{end}}</p>
{{if .Gates}}<h2>Gates</h2><table>{{range .Gates}}<tr><td>{{.Rule}}</td><td{{if .Breached}} class="breached">breached: {{.Detail}}{{else}}>holds{{end}}</td></tr>{{end}}</table>{{end}}
<h2>Figures</h2><p>Each with the 95% bootstrap interval over items and the n it rests on.</p>
<table><tr><th>figure</th><th>value</th><th>95% interval</th><th>n</th><th>measures</th></tr>
{{range .Figures}}<tr><td>{{.Name}}</td><td class="n">{{.Value}}</td><td>{{.Interval}}</td><td class="n">{{.N}}</td><td>{{.About}}</td></tr>
{{end}}</table>
{{if .Points}}<h2>Reliability and risk-coverage</h2><p>{{.Points}} labelled verdicts, at their calibrated probability where a calibrator was active and the identity map of the stated certainty otherwise.</p>
{{$s := .Size}}{{range .Plots}}<svg width="{{$s}}" height="{{$s}}" viewBox="0 0 {{$s}} {{$s}}" role="img" aria-label="{{.Title}}">
<title>{{.Title}}</title><rect x="20" y="20" width="{{$s}}" height="{{$s}}" fill="none"/>
<line x1="20" y1="240" x2="240" y2="240" stroke="#333"/><line x1="20" y1="20" x2="20" y2="240" stroke="#333"/>
{{if .Diagonal}}<line x1="20" y1="240" x2="240" y2="20" stroke="#999" stroke-dasharray="4"/>{{end}}
{{range .Bars}}<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" fill="#4a7fb5"/>{{end}}
{{if .Line}}<polyline points="{{.Line}}" fill="none" stroke="#b5584a" stroke-width="2"/>{{end}}
<text x="130" y="256" text-anchor="middle" font-size="11">{{.XLabel}}</text>
<text x="130" y="14" text-anchor="middle" font-size="12">{{.Title}}: {{.YLabel}}</text></svg>{{end}}{{end}}
{{if .Variants}}<h2>Persona variants</h2><table><tr><th>variant</th><th>accuracy</th><th>kappa</th></tr>
{{range .Variants}}<tr><td>{{.Name}}</td><td>{{.Accuracy}}</td><td>{{.Kappa}}</td></tr>{{end}}</table>{{end}}
{{if .Slices}}<h2>By tag</h2><table><tr><th>tag</th><th>results</th><th>judge errors</th><th>accuracy on labelled verdicts</th></tr>
{{range .Slices}}<tr><td>{{.Tag}}</td><td class="n">{{.Results}}</td><td class="n">{{.JudgeErrors}}</td><td>{{.Correct}} of {{.LabelledVerdicts}}</td></tr>{{end}}</table>{{end}}
{{if .Worst}}<h2>Worst items</h2><p>Wrong verdicts given the highest probability.</p><table><tr><th>item</th><th>probability</th></tr>
{{range .Worst}}<tr><td>{{.Item}}</td><td class="n">{{pct .Prob}}</td></tr>{{end}}</table>{{end}}
{{if .Reasons}}<h2>Failure reasons</h2><table>{{range .Reasons}}<tr><td class="n">{{.Count}}</td><td>{{.Reason}}</td></tr>{{end}}</table>{{end}}
</body></html>
`))

// HTML is a self-contained page of the run: the figures with intervals,
// the gates, reliability and risk-coverage diagrams (inline SVG), the
// persona variants, the tag slices, the wrong verdicts given the highest
// probability, and the failure reasons.
func (s *Summary) HTML(gates []Gate) ([]byte, error) {
	doc := htmlDoc{ResultsFile: s.ResultsFile, Results: s.Results, Slices: s.Slices(), Gates: s.CheckGates(gates), Points: len(s.points), Size: svgSize}
	for _, st := range []pb.JudgmentStatus{pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT, pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN, pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR, pb.JudgmentStatus_JUDGMENT_STATUS_INVALID} {
		doc.Status = append(doc.Status, struct {
			Name string
			N    int
		}{strings.TrimPrefix(st.String(), "JUDGMENT_STATUS_"), s.ByStatus[st]})
	}
	for _, f := range s.Figures() {
		if f.N == 0 {
			continue
		}
		hf := htmlFigure{Name: f.Name, About: f.About, Value: fmt.Sprintf("%.4f", f.Value), N: f.N, Interval: "n/a"}
		if !math.IsNaN(f.Lower) {
			hf.Interval = fmt.Sprintf("[%.4f, %.4f]", f.Lower, f.Upper)
		}
		doc.Figures = append(doc.Figures, hf)
	}
	for _, v := range s.Variants() {
		doc.Variants = append(doc.Variants, struct{ Name, Accuracy, Kappa string }{v.Variant, interval(v.figures["accuracy"]), interval(v.figures["kappa"])})
	}
	for _, r := range s.topReasons(10) {
		doc.Reasons = append(doc.Reasons, reasonJSON{r.reason, r.n})
	}
	if len(s.points) > 0 {
		doc.Plots = []svgPlot{reliabilityPlot(s.points), riskCoveragePlot(s.points)}
		for _, p := range s.points {
			if !p.correct {
				doc.Worst = append(doc.Worst, htmlWorst{p.item, p.prob})
			}
		}
		slices.SortStableFunc(doc.Worst, func(a, b htmlWorst) int {
			switch {
			case a.Prob > b.Prob:
				return -1
			case a.Prob < b.Prob:
				return 1
			}
			return strings.Compare(a.Item, b.Item)
		})
		doc.Worst = doc.Worst[:min(20, len(doc.Worst))]
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, doc); err != nil {
		return nil, fmt.Errorf("html report: %w", err)
	}
	return buf.Bytes(), nil
}
