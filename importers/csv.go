// Package importers reads outcome files for calibration into RawOutcome
// records: a generic CSV (profile, certainty, correct and optional
// signals), and the judgments.csv of the Personalized-Judge research
// extract. Readers check every row before returning any, so a bad file
// imports nothing; errors name the line.
package importers

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

// csvTable reads a CSV with a header row and gives access to cells by
// column name, so column order in the file does not matter.
type csvTable struct {
	r    *csv.Reader
	cols map[string]int
	line int // line number of the last record read (1 = header)
}

func newCSVTable(r io.Reader, required ...string) (*csvTable, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading the CSV header: %w", err)
	}
	t := &csvTable{r: cr, cols: map[string]int{}, line: 1}
	for i, h := range header {
		t.cols[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, c := range required {
		if _, ok := t.cols[c]; !ok {
			return nil, fmt.Errorf("the CSV header has no %q column (has %s)", c, strings.Join(header, ","))
		}
	}
	return t, nil
}

// next returns the next record, or io.EOF.
func (t *csvTable) next() ([]string, error) {
	rec, err := t.r.Read()
	if err == nil {
		t.line, _ = t.r.FieldPos(0)
	}
	return rec, err
}

// get returns a cell by column name; "" when the column or cell is absent.
func (t *csvTable) get(rec []string, col string) string {
	i, ok := t.cols[col]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// ReadGenericCSV reads a CSV with a header row of
// profile,certainty,correct[,options,position_consistency,logprob_confidence]
// in any column order. certainty is 1..100, correct 1/0 or true/false,
// options a whole number of at least 2, the signals 0..1. Every row is
// checked before any is returned; errors name the line.
func ReadGenericCSV(r io.Reader) ([]*pb.RawOutcome, error) {
	t, err := newCSVTable(r, "profile", "certainty", "correct")
	if err != nil {
		return nil, err
	}
	var out []*pb.RawOutcome
	for {
		rec, err := t.next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		ro, err := genericRow(t, rec)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", t.line, err)
		}
		out = append(out, ro)
	}
}

func genericRow(t *csvTable, rec []string) (*pb.RawOutcome, error) {
	ro := &pb.RawOutcome{Profile: t.get(rec, "profile")}
	if ro.Profile == "" {
		return nil, errors.New("profile is empty")
	}
	c, err := strconv.ParseFloat(t.get(rec, "certainty"), 64)
	if err != nil || math.IsNaN(c) || c < 1 || c > 100 {
		return nil, fmt.Errorf("certainty %q is not a number from 1 to 100", t.get(rec, "certainty"))
	}
	ro.Certainty = c
	if ro.Correct, err = strconv.ParseBool(t.get(rec, "correct")); err != nil {
		return nil, fmt.Errorf("correct %q is not 1/0 or true/false", t.get(rec, "correct"))
	}
	if s := t.get(rec, "options"); s != "" {
		k, err := strconv.Atoi(s)
		if err != nil || k < 2 {
			return nil, fmt.Errorf("options %q is not a whole number of at least 2", s)
		}
		ro.Options = int32(k)
	}
	for _, f := range []struct {
		col string
		dst **float64
	}{{"position_consistency", &ro.PositionConsistency}, {"logprob_confidence", &ro.LogprobConfidence}} {
		s := t.get(rec, f.col)
		if s == "" {
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || !(v >= 0 && v <= 1) {
			return nil, fmt.Errorf("%s %q is not a number from 0 to 1", f.col, s)
		}
		*f.dst = proto.Float64(v)
	}
	return ro, nil
}

// NA handling for the Personalized-Judge format. The extract's rule
// (expected_metrics.json) reads a missing certainty ("NA") as 0, which its
// bins clamp into the lowest bin: the row counts, as low certainty. NALowest
// does the same in our terms, certainty 1 (the chance level of the identity
// map), so counts match the rule. NASkip drops such rows instead, for those
// who would rather not teach a calibrator that silence means "unsure".
const (
	NALowest = "lowest"
	NASkip   = "skip"
)

// PJRow is one kept row of a Personalized-Judge extract, with its source
// file for per-file checks.
type PJRow struct {
	SourceFile string
	Record     *pb.RawOutcome
}

// PJStats counts what ReadPersonalizedJudge kept and why it dropped rows.
type PJStats struct {
	Rows         int // data rows read
	Kept         int
	OtherSetting int // setting other than with_persona_certainty
	NotAB        int // answer not A or B (garbage answers; ties)
	NA           int // kept rows with no usable certainty, read as 1 (NALowest)
	NASkipped    int // rows dropped for no usable certainty (NASkip)
	Clamped      int // numeric certainty outside 1..100, clamped
}

// ReadPersonalizedJudge reads a judgments.csv of the Personalized-Judge
// extract: rows of setting with_persona_certainty whose answer is A or B
// (the binary choice with a stated certainty), profile = task + "/" +
// judge_model, options 2, correct = the upstream acc flag. A numeric
// certainty outside 1..100 is clamped, as the rule's bins clamp; a missing
// one is handled as na says (NALowest or NASkip).
func ReadPersonalizedJudge(r io.Reader, na string) ([]PJRow, PJStats, error) {
	var st PJStats
	if na != NALowest && na != NASkip {
		return nil, st, fmt.Errorf("NA policy %q: want %s or %s", na, NALowest, NASkip)
	}
	t, err := newCSVTable(r, "source_file", "task", "setting", "judge_model", "answer", "certainty", "correct")
	if err != nil {
		return nil, st, err
	}
	var out []PJRow
	for {
		rec, err := t.next()
		if errors.Is(err, io.EOF) {
			return out, st, nil
		}
		if err != nil {
			return nil, st, err
		}
		st.Rows++
		if t.get(rec, "setting") != "with_persona_certainty" {
			st.OtherSetting++
			continue
		}
		if a := t.get(rec, "answer"); a != "A" && a != "B" {
			st.NotAB++
			continue
		}
		c, err := strconv.ParseFloat(t.get(rec, "certainty"), 64)
		if err != nil || math.IsNaN(c) {
			if na == NASkip {
				st.NASkipped++
				continue
			}
			st.NA++
			c = 1
		}
		if c < 1 || c > 100 {
			st.Clamped++
			c = math.Max(1, math.Min(100, c))
		}
		var correct bool
		switch t.get(rec, "correct") {
		case "1":
			correct = true
		case "0":
		default:
			return nil, st, fmt.Errorf("line %d: correct %q is not 0 or 1", t.line, t.get(rec, "correct"))
		}
		task, model := t.get(rec, "task"), t.get(rec, "judge_model")
		if task == "" || model == "" {
			return nil, st, fmt.Errorf("line %d: task or judge_model is empty", t.line)
		}
		st.Kept++
		out = append(out, PJRow{SourceFile: t.get(rec, "source_file"), Record: &pb.RawOutcome{
			Profile: task + "/" + model, Certainty: c, Correct: correct, Options: 2,
		}})
	}
}
