package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/personajudge/personajudge/clients"
	"github.com/personajudge/personajudge/judges"
	"github.com/personajudge/personajudge/server"
	"github.com/personajudge/personajudge/store"
)

// calServer is the service in process (no LLM is called by calibration),
// with its store for checks behind the API.
func calServer(t *testing.T) (string, *store.Store) {
	t.Helper()
	reg, err := clients.NewRegistry(clients.FileConfig{Models: []clients.ModelConfig{{Name: "judge", BaseURL: "http://127.0.0.1:1/v1"}}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "pj.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := server.NewService(judges.NewEngine(reg, judges.WithCalibrators(st)), st, server.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	srv := httptest.NewServer(server.NewHandler(svc))
	t.Cleanup(srv.Close)
	return srv.URL, st
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// bandsCSV is a generic CSV, columns in a non-default order: certainty 90
// right 95% of the time, certainty 60 right 55%.
func bandsCSV() string {
	var b strings.Builder
	b.WriteString("correct,certainty,profile,options\n")
	for _, g := range []struct{ c, n, right int }{{90, 200, 190}, {60, 200, 110}} {
		for i := range g.n {
			fmt.Fprintf(&b, "%v,%d,judge/x,2\n", i < g.right, g.c)
		}
	}
	return b.String()
}

func runCal(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := calibrate(args, &out); err != nil {
		t.Fatalf("calibrate %v: %v\n%s", args, err, out.String())
	}
	return out.String()
}

func TestCalibrateImportFitReport(t *testing.T) {
	url, _ := calServer(t)
	csvPath := writeFile(t, "outcomes.csv", bandsCSV())

	out := runCal(t, "import", "--addr", url, "--csv", csvPath, "--batch", "150")
	if !strings.Contains(out, "imported 400 records") || !regexp.MustCompile(`judge/x\s+400`).MatchString(out) {
		t.Fatalf("import output:\n%s", out)
	}
	// Before a fit the report has the raw side only.
	out = runCal(t, "report", "--addr", url, "--profile", "judge/x")
	if !regexp.MustCompile(`(?m)^\s*n\s+400\s+-\s*$`).MatchString(out) || !strings.Contains(out, "none (raw certainty only)") {
		t.Fatalf("raw-only report:\n%s", out)
	}

	out = runCal(t, "fit", "--addr", url, "--profile", "judge/x", "--method", "isotonic")
	if !strings.Contains(out, "fitted judge/x v1 (isotonic on 400 outcomes), active") {
		t.Fatalf("fit output:\n%s", out)
	}
	out = runCal(t, "report", "--addr", url, "--profile", "judge/x")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`calibrator\s+v1`),
		regexp.MustCompile(`(?m)^\s*n\s+400\s+400\s*$`),
		regexp.MustCompile(`(?m)^\s*accuracy\s+0\.7500\s+0\.7500\s*$`),
		regexp.MustCompile(`(?m)^\s*ECE10\s+0\.1242\s+0\.\d{4}\s*$`),
		regexp.MustCompile(`(?m)^\s*AUROC\s+0\.\d{4}\s+0\.\d{4}\s*$`),
		regexp.MustCompile(`coverage 0\.5000 \(200 kept\), precision 0\.9500`),
	} {
		if !want.MatchString(out) {
			t.Fatalf("report lacks %v:\n%s", want, out)
		}
	}

	// A second fit without activation, and a report on it by version.
	out = runCal(t, "fit", "--addr", url, "--profile", "judge/x", "--method", "platt", "--target-precision", "0.99", "--no-activate")
	if !strings.Contains(out, "v2 (platt on 400 outcomes), stored, not active") || !strings.Contains(out, "no threshold reaches precision 0.99") {
		t.Fatalf("inactive fit output:\n%s", out)
	}
	if out := runCal(t, "report", "--addr", url, "--profile", "judge/x", "--version", "v2"); !regexp.MustCompile(`calibrator\s+v2`).MatchString(out) {
		t.Fatalf("report --version v2:\n%s", out)
	}

	// --plot writes a real image in either format.
	dir := t.TempDir()
	for _, f := range []struct{ name, magic string }{{"rel.png", "\x89PNG\r\n\x1a\n"}, {"rel.svg", "<svg"}} {
		path := filepath.Join(dir, f.name)
		out := runCal(t, "report", "--addr", url, "--profile", "judge/x", "--plot", path)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) < 1000 || !strings.Contains(string(data[:min(len(data), 512)]), f.magic) || !strings.Contains(out, "wrote "+path) {
			t.Fatalf("%s: %d bytes, starts %q", f.name, len(data), data[:min(len(data), 16)])
		}
	}
}

func TestCalibrateImportRejectsBadFiles(t *testing.T) {
	url, st := calServer(t)
	tests := []struct {
		name, csv, want string
	}{
		{"certainty out of range", "profile,certainty,correct\np,80,1\np,101,0\n", "line 3: certainty"},
		{"certainty NA", "profile,certainty,correct\np,NA,1\n", "line 2: certainty"},
		{"bad correct", "profile,certainty,correct\np,80,maybe\n", "line 2: correct"},
		{"missing column", "profile,certainty\np,80\n", `no "correct" column`},
		{"empty profile", "profile,certainty,correct\n,80,1\n", "line 2: profile"},
		{"one option", "profile,certainty,correct,options\np,80,1,1\n", "line 2: options"},
		{"no rows", "profile,certainty,correct\n", "no records"},
	}
	for _, tt := range tests {
		err := calibrate([]string{"import", "--addr", url, "--csv", writeFile(t, "bad.csv", tt.csv)}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
	// Nothing reached the service: a bad file imports nothing.
	if s, err := st.ImportedOutcomes(context.Background(), "p"); err != nil || len(s) != 0 {
		t.Fatalf("%d records imported from bad files (%v)", len(s), err)
	}
}

func TestCalibrateUsageErrors(t *testing.T) {
	url, _ := calServer(t)
	tests := []struct {
		args []string
		want string
	}{
		{nil, "usage"},
		{[]string{"plot"}, `unknown subcommand "plot"`},
		{[]string{"import", "--addr", url}, "--csv is required"},
		{[]string{"import", "--addr", url, "--csv", "x.csv", "--format", "xml"}, "no such file"},
		{[]string{"fit", "--addr", url, "--method", "isotonic"}, "--profile is required"},
		{[]string{"fit", "--addr", url, "--profile", "p", "--method", "spline"}, "unknown method"},
		{[]string{"fit", "--addr", url, "--profile", "p", "--method", "isotonic"}, "failed_precondition"},
		{[]string{"fit", "--addr", url, "--profile", "p", "--method", "isotonic", "--target-precision", "0.4"}, "target_precision"},
		{[]string{"report", "--addr", url, "--profile", "p", "--plot", "x.pdf"}, ".png or .svg"},
		{[]string{"report", "--addr", url, "--profile", "nobody"}, "not_found"},
	}
	for _, tt := range tests {
		err := calibrate(tt.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("calibrate %v: err = %v, want %q", tt.args, err, tt.want)
		}
	}
	// An unknown format is refused once the file opens.
	err := calibrate([]string{"import", "--addr", url, "--csv", writeFile(t, "a.csv", "x\n"), "--format", "xml"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `--format "xml"`) {
		t.Errorf("unknown format: %v", err)
	}
}

// pjFixture has one row of each kind the reader must tell apart.
const pjFixture = `source_file,task,setting,persona_features,judge_model,row,pair_key,ground_truth,answer,certainty,correct,len_a,len_b
f1.jsonl,PR,with_persona_certainty,all,m1,0,k0,A,A,85,1,10,10
f1.jsonl,PR,with_persona_certainty,all,m1,1,k1,B,A,79,0,10,10
f1.jsonl,PR,with_persona_certainty,all,m1,2,k2,B,,,0,10,10
f1.jsonl,PR,with_persona_certainty,all,m1,3,k3,B,[,90,0,10,10
f2.jsonl,EC,with_persona_certainty,all,m2,0,k4,A,B,NA,0,10,10
f2.jsonl,EC,with_persona_certainty,all,m2,1,k5,A,A,120,1,10,10
f2.jsonl,EC,with_persona_certainty,all,m2,2,k6,A,A,0,1,10,10
f3.jsonl,EC,with_tie,all,m2,0,k7,C,C,NA,1,10,10
f4.jsonl,EC,no_persona,all,m2,0,k8,A,A,7,1,10,10
`

func TestReadPersonalizedJudge(t *testing.T) {
	type rec struct {
		file, profile string
		certainty     float64
		correct       bool
	}
	tests := []struct {
		na        string
		want      []rec
		wantStats pjStats
	}{
		{naLowest, []rec{
			{"f1.jsonl", "PR/m1", 85, true}, {"f1.jsonl", "PR/m1", 79, false},
			{"f2.jsonl", "EC/m2", 1, false}, {"f2.jsonl", "EC/m2", 100, true}, {"f2.jsonl", "EC/m2", 1, true},
		}, pjStats{Rows: 9, Kept: 5, OtherSetting: 2, NotAB: 2, NA: 1, Clamped: 2}},
		{naSkip, []rec{
			{"f1.jsonl", "PR/m1", 85, true}, {"f1.jsonl", "PR/m1", 79, false},
			{"f2.jsonl", "EC/m2", 100, true}, {"f2.jsonl", "EC/m2", 1, true},
		}, pjStats{Rows: 9, Kept: 4, OtherSetting: 2, NotAB: 2, NASkipped: 1, Clamped: 2}},
	}
	for _, tt := range tests {
		rows, st, err := readPersonalizedJudge(strings.NewReader(pjFixture), tt.na)
		if err != nil {
			t.Fatalf("%s: %v", tt.na, err)
		}
		if st != tt.wantStats {
			t.Errorf("%s: stats %+v, want %+v", tt.na, st, tt.wantStats)
		}
		if len(rows) != len(tt.want) {
			t.Fatalf("%s: %d rows, want %d", tt.na, len(rows), len(tt.want))
		}
		for i, w := range tt.want {
			r := rows[i]
			if r.SourceFile != w.file || r.Record.Profile != w.profile || r.Record.Certainty != w.certainty ||
				r.Record.Correct != w.correct || r.Record.Options != 2 {
				t.Errorf("%s: row %d = %s %v, want %+v", tt.na, i, r.SourceFile, r.Record, w)
			}
		}
	}
	if _, _, err := readPersonalizedJudge(strings.NewReader(pjFixture), "zero"); err == nil {
		t.Error("an unknown --na policy was accepted")
	}
	bad := strings.Replace(pjFixture, "A,A,85,1,", "A,A,85,yes,", 1)
	if _, _, err := readPersonalizedJudge(strings.NewReader(bad), naLowest); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad correct flag: %v", err)
	}
}
