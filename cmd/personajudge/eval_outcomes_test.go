package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/personajudge/personajudge/clients"
	"github.com/personajudge/personajudge/eval"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
	"github.com/personajudge/personajudge/server"
	"github.com/personajudge/personajudge/store"
)

// labelledVerdicts reads --out: the judgment ids of labelled VERDICT
// results, and the judge profile they share.
func labelledVerdicts(t *testing.T, path string) (map[string]bool, string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ids, profile := map[string]bool{}, ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		r, l, err := eval.ParseResult(sc.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if l != nil && r.Status == pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT && r.JudgmentId != "" {
			ids[r.JudgmentId] = true
			if profile != "" && r.JudgeProfile != profile {
				t.Fatalf("two profiles in one run: %s and %s", profile, r.JudgeProfile)
			}
			profile = r.JudgeProfile
		}
	}
	return ids, profile
}

// --record-outcomes labels every labelled verdict in the ledger, once; a
// resumed run re-sends them as unchanged; a calibrator fitted over the
// same database sees exactly them.
func TestEvalRecordOutcomes(t *testing.T) {
	t.Parallel()
	const n = 300
	in, dir := writeDataset(t, n), t.TempDir()
	db, out := filepath.Join(dir, "pj.db"), filepath.Join(dir, "r.jsonl")
	// Position bias makes abstentions, and failed calls judge errors: neither
	// has an answer to label.
	args := []string{"--local", "--in", in, "--out", out, "--db", db, "--record-outcomes", "--outcomes-batch", "64",
		"--accuracy", "0.8", "--position-bias", "0.2", "--rate-500", "0.05", "--max-retries", "0", "--max-reasks", "0"}
	st, summary, err := evalCmd(t, t.Context(), args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, summary)
	}
	ids, profile := labelledVerdicts(t, out)
	if st.ByStatus[pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN] == 0 || st.ByStatus[pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR] == 0 {
		t.Fatalf("want abstentions and judge errors among the results:\n%s", summary)
	}
	if len(ids) == 0 || len(ids) >= n || st.LabelledVerdicts != len(ids) {
		t.Fatalf("%d labelled verdicts in --out, %d counted by the run, of %d items", len(ids), st.LabelledVerdicts, n)
	}
	if st.Recorded != len(ids) || st.Unchanged != 0 {
		t.Fatalf("recorded %d, unchanged %d; want %d, 0\n%s", st.Recorded, st.Unchanged, len(ids), summary)
	}
	if want := fmt.Sprintf("outcomes        %d recorded, 0 unchanged", len(ids)); !strings.Contains(summary, want) {
		t.Errorf("summary lacks %q:\n%s", want, summary)
	}

	// Resuming judges nothing and sends the labels in --out again.
	st2, summary2, err := evalCmd(t, t.Context(), args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, summary2)
	}
	if st2.Judged != 0 || st2.Recorded != 0 || st2.Unchanged != len(ids) {
		t.Fatalf("resume: judged %d, recorded %d, unchanged %d; want 0, 0, %d\n%s", st2.Judged, st2.Recorded, st2.Unchanged, len(ids), summary2)
	}

	// The ledger holds exactly those labels, and a fit uses every one.
	s, err := store.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	labelled, err := s.LabelledJudgments(t.Context(), profile)
	if err != nil {
		t.Fatal(err)
	}
	if len(labelled) != len(ids) {
		t.Fatalf("profile %s has %d labelled judgments, want %d", profile, len(labelled), len(ids))
	}
	for _, l := range labelled {
		if !ids[l.Response.JudgmentId] {
			t.Errorf("labelled judgment %s is not a labelled verdict of --out", l.Response.JudgmentId)
		}
	}
	reg, err := clients.NewRegistry(clients.FileConfig{Models: []clients.ModelConfig{{Name: "sim", BaseURL: "http://127.0.0.1:1/v1"}}})
	if err != nil {
		t.Fatal(err)
	}
	svc := server.NewService(judges.NewEngine(reg, judges.WithCalibrators(s)), s, server.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	fit, err := svc.Calibration().FitCalibrator(t.Context(), &pb.FitCalibratorRequest{
		Profile: profile, Method: pb.CalibrationMethod_CALIBRATION_METHOD_ISOTONIC, Folds: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	if int(fit.Calibrator.N) != len(ids) || int(fit.Report.Calibrated.N) != len(ids) {
		t.Fatalf("calibrator fitted on %d, evaluated on %d; want %d", fit.Calibrator.N, fit.Report.Calibrated.N, len(ids))
	}
}

// Labels recorded into a temporary database would vanish with it.
func TestEvalRecordOutcomesLocalNeedsDB(t *testing.T) {
	t.Parallel()
	_, err := parseEvalFlags([]string{"--local", "--in", "x", "--out", "y", "--record-outcomes"})
	if err == nil || !strings.Contains(err.Error(), "--db") {
		t.Fatalf("err %v, want one naming --db", err)
	}
	if _, err := parseEvalFlags([]string{"--in", "x", "--out", "y", "--record-outcomes"}); err != nil {
		t.Fatalf("with --addr: %v", err)
	}
}
