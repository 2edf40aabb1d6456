package eval

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"strings"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

func exportSummary() *Summary {
	s := newSummary(&Config{Results: "r.jsonl"})
	for _, vl := range [][2]int32{{0, 0}, {1, 1}, {1, 0}, {0, 0}} {
		r, l := choiceResult(vl[0], vl[1])
		s.add(r, l, true)
	}
	s.add(&pb.ScoreResponse{Status: pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR, Reason: "rate limited"}, nil, true)
	return s
}

func TestSummaryJSON(t *testing.T) {
	t.Parallel()
	gates, err := ParseGates("accuracy<0.8,judge_error_rate>0.5")
	if err != nil {
		t.Fatal(err)
	}
	b, err := exportSummary().JSON(gates, nil)
	if err != nil {
		t.Fatal(err)
	}
	var doc summaryJSON
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	acc := doc.Metrics["accuracy"]
	if acc.Value == nil || *acc.Value != 0.75 || acc.N != 4 || doc.Metrics["high_certainty_accuracy"].Value != nil {
		t.Fatalf("metrics %+v", doc.Metrics)
	}
	if doc.ByStatus["JUDGE_ERROR"] != 1 || doc.ByStatus["VERDICT"] != 4 || len(doc.FailureReasons) != 1 || doc.FailureReasons[0].Reason != "rate limited" {
		t.Fatalf("by status %v, reasons %v", doc.ByStatus, doc.FailureReasons)
	}
	if len(doc.Gates) != 2 || !doc.Gates[0].Breached || doc.Gates[1].Breached {
		t.Fatalf("gates %+v", doc.Gates)
	}
}

func TestSummaryJUnit(t *testing.T) {
	t.Parallel()
	gates, err := ParseGates("accuracy<0.8,judge_error_rate>0.5")
	if err != nil {
		t.Fatal(err)
	}
	b, err := exportSummary().JUnit(gates, errors.New("stream: backend went away"))
	if err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	s := doc.Suites[0]
	// The run (failed: it did not complete), accuracy<0.8 (breached),
	// judge_error_rate>0.5 (holds).
	if s.Tests != 3 || s.Failures != 2 || s.Cases[0].Failure == nil || s.Cases[1].Failure == nil || s.Cases[2].Failure != nil {
		t.Fatalf("suite %+v", s)
	}
}

// Results are counted per caller tag, in the report and the JSON.
func TestSummarySlicesByTag(t *testing.T) {
	t.Parallel()
	s := newSummary(&Config{Results: "r.jsonl"})
	for i, tier := range []string{"easy", "easy", "hard", "hard"} {
		r, l := choiceResult(1, int32(i%2)) // items 1 and 3 right
		r.Tags = map[string]string{"tier": tier, "track": "pf"}
		s.add(r, l, true)
	}
	s.add(&pb.ScoreResponse{Status: pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR, Tags: map[string]string{"tier": "hard"}}, nil, true)
	got := s.Slices()
	want := []Slice{
		{Tag: "tier=easy", Results: 2, LabelledVerdicts: 2, Correct: 1},
		{Tag: "tier=hard", Results: 3, JudgeErrors: 1, LabelledVerdicts: 2, Correct: 1},
		{Tag: "track=pf", Results: 4, LabelledVerdicts: 4, Correct: 2},
	}
	if len(got) != len(want) {
		t.Fatalf("slices %+v", got)
	}
	for i := range want {
		g := got[i]
		if g.Tag != want[i].Tag || g.Results != want[i].Results || g.JudgeErrors != want[i].JudgeErrors ||
			g.LabelledVerdicts != want[i].LabelledVerdicts || g.Correct != want[i].Correct {
			t.Errorf("slice %d = %+v, want %+v", i, g, want[i])
		}
		// Accuracy with its interval, over the slice's labelled verdicts.
		if a := g.Accuracy; a == nil || a.Value != 0.5 || a.N != want[i].LabelledVerdicts || !(a.Lower <= 0.5 && a.Upper >= 0.5) {
			t.Errorf("slice %d accuracy %+v", i, a)
		}
	}
	var buf bytes.Buffer
	s.print(&buf)
	if !strings.Contains(buf.String(), "tier=hard") || !strings.Contains(buf.String(), "0.5000 [0.0000, 1.0000] n = 2") {
		t.Fatalf("report lacks the slices:\n%s", buf.String())
	}
}
