package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/personajudge/personajudge/calibration"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/importers"
	"github.com/personajudge/personajudge/judges"
)

// realDataDir is the shared reference data folder, beside the
// repository. It is test-fixture data that is never copied into the
// project, so this test skips where it is absent.
var realDataDir = filepath.Join("..", "..", "..", "shared", "data", "personalized-judge")

// expectedFile is one entry of expected_metrics.json.
type expectedFile struct {
	SourceFile string  `json:"source_file"`
	Task       string  `json:"task"`
	Setting    string  `json:"setting"`
	JudgeModel string  `json:"judge_model"`
	NAnswerAB  int     `json:"n_answer_AB"`
	CorrectAB  int     `json:"correct_AB"`
	AccAB      float64 `json:"acc_AB"`
	HighN      int     `json:"high_n"`
	HighOK     int     `json:"high_correct"`
	LowN       int     `json:"low_n"`
	LowOK      int     `json:"low_correct"`
}

// counts are the rule's numbers for a set of rows: high = certainty >= 80.
type counts struct{ n, correct, highN, highOK, lowN, lowOK int }

func (c *counts) add(certainty float64, correct bool) {
	ok := 0
	if correct {
		ok = 1
	}
	c.n++
	c.correct += ok
	if certainty >= 80 {
		c.highN++
		c.highOK += ok
	} else {
		c.lowN++
		c.lowOK += ok
	}
}

func (e expectedFile) counts() counts {
	return counts{e.NAnswerAB, e.CorrectAB, e.HighN, e.HighOK, e.LowN, e.LowOK}
}

func loadRealData(t *testing.T) (csvPath string, expected []expectedFile) {
	t.Helper()
	csvPath = filepath.Join(realDataDir, "judgments.csv")
	if _, err := os.Stat(csvPath); err != nil {
		t.Skipf("real-data check skipped: %s is absent (it lives in ../shared/data, beside the repository)", csvPath)
	}
	raw, err := os.ReadFile(filepath.Join(realDataDir, "expected_metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Files []expectedFile `json:"files"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return csvPath, doc.Files
}

// The real-data check of issue 5: (a) the importer's rows reproduce
// expected_metrics.json's high-certainty counts and accuracy per file, and
// the service holds the same counts per profile after `calibrate import`;
// (b) on a seeded held-out half, every fitted method's ECE is below the
// identity map's for every profile with at least 300 outcomes.
func TestRealDataPersonalizedJudge(t *testing.T) {
	t.Parallel()
	csvPath, expected := loadRealData(t)
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	rows, stats, err := importers.ReadPersonalizedJudge(f, importers.NALowest)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("read %+v", stats)

	// (a) Per file, the reader's rows against the rule's numbers.
	perFile := map[string]*counts{}
	for _, r := range rows {
		if perFile[r.SourceFile] == nil {
			perFile[r.SourceFile] = &counts{}
		}
		perFile[r.SourceFile].add(r.Record.Certainty, r.Record.Correct)
	}
	perProfileWant := map[string]*counts{}
	checked := 0
	for _, e := range expected {
		if e.Setting != "with_persona_certainty" {
			continue // no stated certainty: not imported
		}
		checked++
		got := perFile[e.SourceFile]
		if got == nil || *got != e.counts() {
			t.Errorf("%s: got %+v, want %+v", e.SourceFile, got, e.counts())
			continue
		}
		if acc := math.Round(float64(got.correct)/float64(got.n)*1e4) / 1e4; acc != e.AccAB {
			t.Errorf("%s: accuracy %.4f, want %.4f", e.SourceFile, acc, e.AccAB)
		}
		p := e.Task + "/" + e.JudgeModel
		if perProfileWant[p] == nil {
			perProfileWant[p] = &counts{}
		}
		w := perProfileWant[p]
		*w = counts{w.n + got.n, w.correct + got.correct, w.highN + got.highN, w.highOK + got.highOK, w.lowN + got.lowN, w.lowOK + got.lowOK}
	}
	if checked == 0 || len(perFile) != checked {
		t.Fatalf("%d files read, %d expected with certainty", len(perFile), checked)
	}

	// Through the service: `calibrate import`, then the stored samples.
	url, st := calServer(t)
	if err := calibrate([]string{"import", "--addr", url, "--csv", csvPath, "--format", "personalized-judge"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	profiles := make([]string, 0, len(perProfileWant))
	for p := range perProfileWant {
		profiles = append(profiles, p)
	}
	sort.Strings(profiles)
	samples := map[string][]calibration.Sample{}
	for _, p := range profiles {
		stored, err := st.ImportedOutcomes(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		var got counts
		imported := make([]judges.ImportedOutcome, len(stored))
		for i, s := range stored {
			got.add(s.Certainty, s.Correct)
			imported[i] = judges.ImportedOutcome(s)
		}
		samples[p] = judges.CalibrationSamples(nil, imported)
		if got != *perProfileWant[p] {
			t.Errorf("profile %s in the store: %+v, want %+v", p, got, *perProfileWant[p])
		}
	}

	// (b) Held-out half, seeded: fit on one half, measure ECE10 on the
	// other, for the identity map and every method.
	var table strings.Builder
	fmt.Fprintf(&table, "%-36s %5s %5s %9s %9s %9s %9s\n", "profile", "n", "test", "identity", "isotonic", "histogram", "platt")
	for _, p := range profiles {
		all := samples[p]
		if len(all) < 300 {
			continue
		}
		train, test := split(all, 20240615)
		probs := make([]float64, len(test))
		correct := make([]bool, len(test))
		for i, s := range test {
			probs[i], correct[i] = s.Confidence, s.Correct
		}
		identity := calibration.ECE(probs, correct, 10)
		fmt.Fprintf(&table, "%-36s %5d %5d %9.4f", p, len(all), len(test), identity)
		for _, m := range []calibration.Method{calibration.MethodIsotonic, calibration.MethodHistogram, calibration.MethodPlatt} {
			model, err := calibration.Fit(m, train, calibration.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range test {
				probs[i] = model.Predict(s)
			}
			ece := calibration.ECE(probs, correct, 10)
			fmt.Fprintf(&table, " %9.4f", ece)
			if ece >= identity {
				t.Errorf("%s: %s held-out ECE10 %.4f is not below the identity map's %.4f", p, m, ece, identity)
			}
		}
		table.WriteString("\n")
	}
	t.Logf("held-out ECE10 (seeded 50/50 split; fit on one half, measured on the other):\n%s", table.String())

	// The served path on the same data: FitCalibrator (isotonic, 5-fold
	// cross-fitting, target precision 0.9) per profile, next to the rule's
	// certainty >= 80 cut.
	table.Reset()
	fmt.Fprintf(&table, "%-36s %5s %8s %14s %9s %9s %s\n", "profile", "n", "accuracy", "certainty>=80", "raw ECE", "iso ECE", "high-certainty threshold (target 0.90)")
	cal := calClientAt(url)
	for _, p := range profiles {
		w := perProfileWant[p]
		fit, err := cal.FitCalibrator(t.Context(), &pb.FitCalibratorRequest{Profile: p, Method: pb.CalibrationMethod_CALIBRATION_METHOD_ISOTONIC})
		if err != nil {
			t.Fatal(err)
		}
		r := fit.Report
		th := "none found"
		if r.Threshold.Found {
			th = fmt.Sprintf(">= %.4f: coverage %.3f, precision %.3f, lower bound %.3f", r.Threshold.Threshold, r.Threshold.Coverage, r.Threshold.Precision, r.Threshold.LowerBound)
		}
		high := "-"
		if w.highN > 0 {
			high = fmt.Sprintf("%d @ %.3f", w.highN, float64(w.highOK)/float64(w.highN))
		}
		fmt.Fprintf(&table, "%-36s %5d %8.4f %14s %9.4f %9.4f %s\n", p, w.n, float64(w.correct)/float64(w.n), high, r.Raw.Ece10, r.Calibrated.Ece10, th)
		if r.Calibrated.Ece10 >= r.Raw.Ece10 {
			t.Errorf("%s: cross-fitted ECE10 %.4f is not below the raw %.4f", p, r.Calibrated.Ece10, r.Raw.Ece10)
		}
	}
	t.Logf("served FitCalibrator, cross-fitted (5 folds):\n%s", table.String())
}

func calClientAt(url string) personajudgev1connect.CalibrationServiceClient {
	return personajudgev1connect.NewCalibrationServiceClient(http.DefaultClient, url)
}

// split shuffles with a fixed seed and halves, so the check is repeatable.
func split(all []calibration.Sample, seed uint64) (train, test []calibration.Sample) {
	perm := rand.New(rand.NewPCG(seed, 0)).Perm(len(all))
	for i, j := range perm {
		if i < len(all)/2 {
			train = append(train, all[j])
		} else {
			test = append(test, all[j])
		}
	}
	return train, test
}
