package eval

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/metrics"
	"github.com/personajudge/personajudge/stats"
	"google.golang.org/protobuf/proto"
)

// realDataDir is the shared reference data, beside the repository; never
// copied into it, so this test skips where it is absent.
var realDataDir = filepath.Join("..", "..", "shared", "data", "personalized-judge")

// The Personalized Judge records, each replayed as the verdict it chose
// (the recorded answer, A or B) with high certainty where the stated
// certainty is 80 or more (the paper's cut), reproduce
// expected_metrics.json's accuracy and high/low-certainty counts through
// the eval summary, file by file, and the summary's kappa matches a direct
// computation from the CSV.
func TestRealDataSummaryFigures(t *testing.T) {
	t.Parallel()
	csvPath := filepath.Join(realDataDir, "judgments.csv")
	f, err := os.Open(csvPath)
	if err != nil {
		t.Skipf("real-data check skipped: %s is absent (it lives in ../shared/data, beside the repository)", csvPath)
	}
	defer f.Close()
	raw, err := os.ReadFile(filepath.Join(realDataDir, "expected_metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Files []struct {
			SourceFile string `json:"source_file"`
			N          int    `json:"n_answer_AB"`
			Correct    int    `json:"correct_AB"`
			HighN      int    `json:"high_n"`
			HighOK     int    `json:"high_correct"`
			LowN       int    `json:"low_n"`
			LowOK      int    `json:"low_correct"`
		} `json:"files"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	summaries := map[string]*Summary{}
	// confusion[file][answer+truth] for the direct kappa.
	confusion := map[string]map[[2]string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		answer, truth, file := rec[col["answer"]], rec[col["ground_truth"]], rec[col["source_file"]]
		if answer != "A" && answer != "B" {
			continue // the rule counts answers in {A, B} only
		}
		s := summaries[file]
		if s == nil {
			s = newSummary(&Config{Results: file})
			summaries[file] = s
			confusion[file] = map[[2]string]int{}
		}
		confusion[file][[2]string{answer, truth}]++
		cert, err := strconv.ParseFloat(rec[col["certainty"]], 64)
		if err != nil {
			cert = 0 // NA: the rule's lowest bin
		}
		resp := &pb.ScoreResponse{ItemId: rec[col["row"]], Status: pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT,
			Verdict: &pb.Verdict{Choice: proto.Int32(int32(answer[0] - 'A'))}, HighCertainty: cert >= 80}
		label := &pb.Label{Tie: truth == "C"}
		if truth == "A" || truth == "B" {
			label.Choice = proto.Int32(int32(truth[0] - 'A'))
		}
		s.add(resp, label, true)
	}
	checked := 0
	for _, e := range doc.Files {
		s := summaries[e.SourceFile]
		if s == nil {
			t.Errorf("%s: no rows", e.SourceFile)
			continue
		}
		checked++
		// The summary's own collector, with fewer resamples than a report
		// uses: this checks values and counts, not the interval's precision.
		fig := func(name string) metrics.Figure {
			f, _ := s.figures.Figure(name, stats.BootstrapOptions{Seed: 1, Samples: 200})
			return f
		}
		acc, high := fig("accuracy"), fig("high_certainty_accuracy")
		if acc.N != e.N || int(math.Round(acc.Value*float64(acc.N))) != e.Correct {
			t.Errorf("%s: accuracy %v on %d, want %d of %d", e.SourceFile, acc.Value, acc.N, e.Correct, e.N)
		}
		if high.N != e.HighN || (e.HighN > 0 && int(math.Round(high.Value*float64(high.N))) != e.HighOK) || s.HighCorrect != e.HighOK {
			t.Errorf("%s: high certainty %d of %d, want %d of %d", e.SourceFile, s.HighCorrect, high.N, e.HighOK, e.HighN)
		}
		if low, lowOK := s.LabelledVerdicts-s.HighLabelled, s.Correct-s.HighCorrect; low != e.LowN || lowOK != e.LowOK {
			t.Errorf("%s: low certainty %d of %d, want %d of %d", e.SourceFile, lowOK, low, e.LowOK, e.LowN)
		}
		if want, got := directKappa(confusion[e.SourceFile]), fig("kappa"); math.Abs(want-got.Value) > 1e-12 || got.N != e.N {
			t.Errorf("%s: kappa %v on %d, direct %v on %d", e.SourceFile, got.Value, got.N, want, e.N)
		}
		if !(acc.Lower <= acc.Value && acc.Value <= acc.Upper) {
			t.Errorf("%s: accuracy interval [%v, %v] misses %v", e.SourceFile, acc.Lower, acc.Upper, acc.Value)
		}
	}
	if checked != len(doc.Files) || checked == 0 {
		t.Fatalf("checked %d of %d files", checked, len(doc.Files))
	}
}

// directKappa is Cohen's kappa from the (answer, truth) table, written out
// apart from the metrics package.
func directKappa(table map[[2]string]int) float64 {
	n, agree := 0, 0
	rows, cols := map[string]int{}, map[string]int{}
	for k, c := range table {
		n += c
		if k[0] == k[1] {
			agree += c
		}
		rows[k[0]] += c
		cols[k[1]] += c
	}
	pe := 0.0
	for cat, c := range rows {
		pe += float64(c) * float64(cols[cat]) / float64(n) / float64(n)
	}
	return (float64(agree)/float64(n) - pe) / (1 - pe)
}
