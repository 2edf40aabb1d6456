// Package plots draws a calibration report: the reliability diagram and
// the risk-coverage curve, raw and calibrated side by side, as PNG or SVG.
package plots

import (
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"strings"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Format returns "png" or "svg" from the file name, so a caller can refuse a
// wrong name before it fetches the report.
func Format(path string) (string, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".png", ".svg":
		return ext[1:], nil
	default:
		return "", fmt.Errorf("plot file %q: want a .png or .svg name", path)
	}
}

var (
	rawColor = color.RGBA{R: 0xd9, G: 0x5f, B: 0x02, A: 0xff}
	calColor = color.RGBA{R: 0x1b, G: 0x9e, B: 0x77, A: 0xff}
)

// WriteFile writes the plots of r to path, in the format its extension
// names (see Format).
func WriteFile(path string, r *pb.CalibrationReport) error {
	format, err := Format(path)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := Write(f, format, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Write draws the reliability diagram (accuracy against mean confidence
// per bin, with the diagonal of perfect calibration) next to the
// risk-coverage curve, raw and calibrated in each, and writes the image in
// format "png" or "svg" to w.
func Write(w io.Writer, format string, r *pb.CalibrationReport) error {
	const width, height = 11 * vg.Inch, 5 * vg.Inch
	var canvas vg.CanvasWriterTo
	switch format {
	case "png":
		canvas = vgimg.PngCanvas{Canvas: vgimg.New(width, height)}
	case "svg":
		canvas = vgsvg.New(width, height)
	default:
		return fmt.Errorf("plot format %q: want png or svg", format)
	}
	rel, err := reliabilityPlot(r)
	if err != nil {
		return err
	}
	rc, err := riskCoveragePlot(r)
	if err != nil {
		return err
	}
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Centimeter, PadTop: vg.Millimeter * 3, PadBottom: vg.Millimeter * 3,
		PadLeft: vg.Millimeter * 3, PadRight: vg.Millimeter * 3}
	cells := plot.Align([][]*plot.Plot{{rel, rc}}, tiles, draw.New(canvas))
	rel.Draw(cells[0][0])
	rc.Draw(cells[0][1])
	_, err = canvas.WriteTo(w)
	return err
}

// series is one curve of a plot.
type series struct {
	name  string
	color color.Color
	xys   plotter.XYs
}

func metricSeries(r *pb.CalibrationReport, xy func(*pb.CalibrationMetrics) plotter.XYs) []series {
	out := []series{{"raw (identity map)", rawColor, xy(r.Raw)}}
	if r.Calibrated != nil {
		out = append(out, series{"calibrated " + r.CalibratorVersion + " (held out)", calColor, xy(r.Calibrated)})
	}
	return out
}

func reliabilityPlot(r *pb.CalibrationReport) (*plot.Plot, error) {
	p := newPlot("Reliability: "+r.Profile, "mean confidence", "accuracy")
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.Legend.Top, p.Legend.Left = false, false // the diagonal leaves the bottom right empty
	diag := plotter.NewFunction(func(x float64) float64 { return x })
	diag.Color = color.Gray{Y: 0x99}
	diag.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
	p.Add(diag)
	p.Legend.Add("perfect calibration", diag)
	bins := func(m *pb.CalibrationMetrics) plotter.XYs {
		var xys plotter.XYs
		for _, b := range m.GetBins() {
			if b.Count > 0 { // an empty bin has no accuracy to show
				xys = append(xys, plotter.XY{X: b.MeanConfidence, Y: b.Accuracy})
			}
		}
		return xys
	}
	return p, addSeries(p, metricSeries(r, bins))
}

func riskCoveragePlot(r *pb.CalibrationReport) (*plot.Plot, error) {
	p := newPlot("Risk-coverage", "coverage (share kept)", "risk (error rate among kept)")
	p.X.Min, p.X.Max, p.Y.Min = 0, 1, 0
	curve := func(m *pb.CalibrationMetrics) plotter.XYs {
		var xys plotter.XYs
		for _, pt := range m.GetRiskCoverage() {
			xys = append(xys, plotter.XY{X: pt.Coverage, Y: pt.Risk})
		}
		return xys
	}
	return p, addSeries(p, metricSeries(r, curve))
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, x, y
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(plotter.NewGrid())
	return p
}

func addSeries(p *plot.Plot, ss []series) error {
	for _, s := range ss {
		if len(s.xys) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(s.xys)
		if err != nil {
			return err
		}
		line.Color, points.Color = s.color, s.color
		points.Shape = draw.CircleGlyph{}
		p.Add(line, points)
		p.Legend.Add(s.name, line, points)
	}
	return nil
}
