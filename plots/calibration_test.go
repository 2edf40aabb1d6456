package plots

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// report is a small report with both sides, an empty bin (not drawn) and a
// risk-coverage curve.
func report(calibrated bool) *pb.CalibrationReport {
	m := func(shift float64) *pb.CalibrationMetrics {
		return &pb.CalibrationMetrics{
			N: 100,
			Bins: []*pb.ReliabilityBin{
				{Lo: 0.5, Hi: 0.6, Count: 40, MeanConfidence: 0.55, Accuracy: 0.5 + shift},
				{Lo: 0.6, Hi: 0.7, Count: 0},
				{Lo: 0.9, Hi: 1, Count: 60, MeanConfidence: 0.95, Accuracy: 0.8 + shift},
			},
			RiskCoverage: []*pb.RiskCoveragePoint{
				{Threshold: 0.9, Coverage: 0.6, Risk: 0.2 - shift},
				{Threshold: 0.5, Coverage: 1, Risk: 0.3 - shift},
			},
		}
	}
	r := &pb.CalibrationReport{Profile: "judge/x", Raw: m(0)}
	if calibrated {
		r.CalibratorVersion, r.Calibrated = "v1", m(0.05)
	}
	return r
}

func TestWriteFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, calibrated := range []bool{false, true} {
		r := report(calibrated)

		pngPath := filepath.Join(dir, "report.png")
		if err := WriteFile(pngPath, r); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(pngPath)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
			t.Fatalf("calibrated %v: %s starts %q, not a PNG header", calibrated, pngPath, data[:min(len(data), 16)])
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("calibrated %v: decoding the PNG: %v", calibrated, err)
		}
		if b := img.Bounds(); b.Dx() <= b.Dy() || b.Dy() < 100 {
			t.Errorf("calibrated %v: PNG is %dx%d, want a wide image of two plots", calibrated, b.Dx(), b.Dy())
		}

		svgPath := filepath.Join(dir, "report.SVG") // the extension in any case
		if err := WriteFile(svgPath, r); err != nil {
			t.Fatal(err)
		}
		data, err = os.ReadFile(svgPath)
		if err != nil {
			t.Fatal(err)
		}
		if !wellFormedSVG(data) {
			t.Fatalf("calibrated %v: %s is not a well-formed SVG document (%d bytes)", calibrated, svgPath, len(data))
		}
		for _, want := range []string{"Reliability: judge/x", "Risk-coverage", "raw (identity map)"} {
			if !bytes.Contains(data, []byte(want)) {
				t.Errorf("calibrated %v: SVG lacks %q", calibrated, want)
			}
		}
		if got := bytes.Contains(data, []byte("calibrated v1 (held out)")); got != calibrated {
			t.Errorf("calibrated %v: legend names the calibrated series: %v", calibrated, got)
		}
	}
}

// wellFormedSVG reports whether data parses as XML with an <svg> root.
func wellFormedSVG(data []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(data))
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return root == "svg"
		}
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]string{"a.png": "png", "dir/b.PNG": "png", "c.svg": "svg", "d.pdf": "", "noext": ""} {
		got, err := Format(path)
		if got != want || (err != nil) != (want == "") {
			t.Errorf("Format(%q) = %q, %v; want %q", path, got, err, want)
		}
		if want == "" {
			if err := WriteFile(filepath.Join(t.TempDir(), path), report(false)); err == nil || !strings.Contains(err.Error(), ".png or .svg") {
				t.Errorf("WriteFile(%q): %v", path, err)
			}
		}
	}
	if err := Write(io.Discard, "gif", report(false)); err == nil {
		t.Error("Write accepted format gif")
	}
}
