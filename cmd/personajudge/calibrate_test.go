package main

import (
	"bytes"
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
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "pj.db"))
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
	t.Parallel()
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

	// --plot writes the report's plots (their formats are tested in plots).
	path := filepath.Join(t.TempDir(), "rel.png")
	out = runCal(t, "report", "--addr", url, "--profile", "judge/x", "--plot", path)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "\x89PNG\r\n\x1a\n") || !strings.Contains(out, "wrote "+path) {
		t.Fatalf("--plot: %d bytes, starts %q; output:\n%s", len(data), data[:min(len(data), 16)], out)
	}
}

// A bad file is refused whole, naming the line (the readers' cases are
// tested in importers); nothing reaches the service.
func TestCalibrateImportRejectsBadFiles(t *testing.T) {
	t.Parallel()
	url, st := calServer(t)
	tests := []struct {
		name, format, csv, want string
	}{
		{"certainty out of range", "generic", "profile,certainty,correct\np,80,1\np,101,0\n", "line 3: certainty"},
		{"bad correct flag", "personalized-judge", "source_file,task,setting,judge_model,answer,certainty,correct\n" +
			"f,p,with_persona_certainty,m,A,80,1\nf,p,with_persona_certainty,m,A,80,yes\n", "line 3: correct"},
		{"no rows", "generic", "profile,certainty,correct\n", "no records"},
	}
	for _, tt := range tests {
		err := calibrate([]string{"import", "--addr", url, "--format", tt.format, "--csv", writeFile(t, "bad.csv", tt.csv)}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
	for _, p := range []string{"p", "p/m"} {
		if s, err := st.ImportedOutcomes(t.Context(), p); err != nil || len(s) != 0 {
			t.Fatalf("%d records of %s imported from bad files (%v)", len(s), p, err)
		}
	}
}

func TestCalibrateUsageErrors(t *testing.T) {
	t.Parallel()
	url, _ := calServer(t)
	tests := []struct {
		args []string
		want string
	}{
		{nil, "usage"},
		{[]string{"plot"}, `unknown subcommand "plot"`},
		{[]string{"import", "--addr", url}, "--csv is required"},
		{[]string{"import", "--addr", url, "--csv", "x.csv", "--format", "xml"}, "no such file"},
		{[]string{"import", "--addr", url, "--csv", "x.csv", "--na", "zero"}, `--na "zero"`},
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
