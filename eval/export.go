package eval

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MetricValue is one metric of a run with the count it rests on and its
// bootstrap interval; Value is nil when the run cannot measure it (N = 0),
// Lower and Upper when no interval could be computed.
type MetricValue struct {
	Value *float64 `json:"value"`
	N     int      `json:"n"`
	Lower *float64 `json:"lower"`
	Upper *float64 `json:"upper"`
	Level float64  `json:"level"`
}

func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// GateResult is one --fail-on rule and whether the run breached it.
type GateResult struct {
	Rule     string `json:"rule"`
	Breached bool   `json:"breached"`
	Detail   string `json:"detail,omitempty"`
}

// Metrics returns every gate metric of the summary.
func (s *Summary) Metrics() map[string]MetricValue {
	out := map[string]MetricValue{}
	for _, f := range s.Figures() {
		mv := MetricValue{N: f.N, Level: f.Level}
		if f.N > 0 {
			mv.Value, mv.Lower, mv.Upper = finite(f.Value), finite(f.Lower), finite(f.Upper)
		}
		out[f.Name] = mv
	}
	return out
}

// CheckGates evaluates every gate, breached or not.
func (s *Summary) CheckGates(gates []Gate) []GateResult {
	out := make([]GateResult, len(gates))
	for i, g := range gates {
		out[i] = GateResult{Rule: g.String()}
		if b := s.Breaches([]Gate{g}); len(b) > 0 {
			out[i].Breached, out[i].Detail = true, b[0]
		}
	}
	return out
}

// summaryJSON is the machine-readable summary (--summary-json).
type summaryJSON struct {
	ResultsFile    string                 `json:"results_file"`
	Results        int                    `json:"results"`
	ByStatus       map[string]int         `json:"by_status"`
	Metrics        map[string]MetricValue `json:"metrics"`
	FailureReasons []reasonJSON           `json:"failure_reasons"`
	Slices         []Slice                `json:"slices"`
	Gates          []GateResult           `json:"gates"`
	Judged         int                    `json:"judged_this_run"`
	Skipped        int                    `json:"skipped_this_run"`
	LLMCalls       int64                  `json:"llm_calls"`
	CacheHits      int64                  `json:"cache_hits"`
	WallSeconds    float64                `json:"wall_seconds"`
	Error          string                 `json:"error,omitempty"`
}

type reasonJSON struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// JSON is the summary, the gates' results and the run's error (if any) as
// one JSON document for CI systems.
func (s *Summary) JSON(gates []Gate, runErr error) ([]byte, error) {
	doc := summaryJSON{
		ResultsFile: s.ResultsFile, Results: s.Results, ByStatus: map[string]int{},
		Metrics: s.Metrics(), Gates: s.CheckGates(gates), FailureReasons: []reasonJSON{}, Slices: s.Slices(),
		Judged: s.Judged, Skipped: s.Skipped, LLMCalls: s.LLMCalls, CacheHits: s.CacheHits, WallSeconds: s.Wall.Seconds(),
	}
	for st, n := range s.ByStatus {
		doc.ByStatus[strings.TrimPrefix(st.String(), "JUDGMENT_STATUS_")] = n
	}
	for _, r := range s.topReasons(20) {
		doc.FailureReasons = append(doc.FailureReasons, reasonJSON{r.reason, r.n})
	}
	if runErr != nil {
		doc.Error = runErr.Error()
	}
	// Rules keep their < and > as written.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

// junitProperty carries one figure: "accuracy" = "0.7500",
// "accuracy.lower", "accuracy.upper", "accuracy.n".
type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// JUnit is a JUnit XML report of the run: one test case for the run
// itself (failed when it did not complete) and one per gate (failed when
// breached), so a CI system shows a gated evaluation as tests; every
// measurable figure, its interval bounds and n are suite properties.
func (s *Summary) JUnit(gates []Gate, runErr error) ([]byte, error) {
	suite := junitSuite{Name: "personajudge eval " + s.ResultsFile}
	for _, f := range s.Figures() {
		if f.N == 0 {
			continue
		}
		num := func(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }
		suite.Properties = append(suite.Properties,
			junitProperty{f.Name, num(f.Value)}, junitProperty{f.Name + ".lower", num(f.Lower)},
			junitProperty{f.Name + ".upper", num(f.Upper)}, junitProperty{f.Name + ".n", strconv.Itoa(f.N)})
	}
	run := junitCase{Name: "run", ClassName: "eval"}
	if runErr != nil {
		run.Failure = &junitFailure{Message: "the run did not complete", Text: runErr.Error()}
	}
	suite.Cases = append(suite.Cases, run)
	for _, g := range s.CheckGates(gates) {
		c := junitCase{Name: g.Rule, ClassName: "eval.fail-on"}
		if g.Breached {
			c.Failure = &junitFailure{Message: "rule breached", Text: g.Detail}
		}
		suite.Cases = append(suite.Cases, c)
	}
	for _, c := range suite.Cases {
		suite.Tests++
		if c.Failure != nil {
			suite.Failures++
		}
	}
	b, err := xml.MarshalIndent(junitSuites{Suites: []junitSuite{suite}}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("junit report: %w", err)
	}
	return append([]byte(xml.Header), b...), nil
}
