package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/personajudge/personajudge/calibration"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/importers"
	"github.com/personajudge/personajudge/plots"
)

const calibrateUsage = `usage: personajudge calibrate <import|fit|report> [flags]

  import  --csv FILE [--format generic|personalized-judge]   send outcomes in batches
  fit     --profile P --method isotonic|histogram|platt      fit and store a calibrator
  report  --profile P [--version V] [--plot FILE.png|.svg]   raw vs calibrated metrics

Run 'personajudge calibrate <subcommand> -h' for its flags.`

// runCalibrate is `personajudge calibrate`: a client of a running service's
// CalibrationService.
func runCalibrate(args []string) error { return calibrate(args, os.Stdout) }

func calibrate(args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("missing subcommand\n%s", calibrateUsage)
	}
	switch args[0] {
	case "import":
		return calibrateImport(args[1:], out)
	case "fit":
		return calibrateFit(args[1:], out)
	case "report":
		return calibrateReport(args[1:], out)
	case "-h", "--help", "help":
		fmt.Fprintln(os.Stderr, calibrateUsage)
		return flag.ErrHelp
	}
	return fmt.Errorf("unknown subcommand %q\n%s", args[0], calibrateUsage)
}

// clientFlags are the flags every subcommand shares.
type clientFlags struct {
	addr    *string
	timeout *time.Duration
}

func addClientFlags(fs *flag.FlagSet) clientFlags {
	return clientFlags{
		addr:    fs.String("addr", serviceAddr(), addrUsage),
		timeout: fs.Duration("timeout", 5*time.Minute, "deadline for the whole command"),
	}
}

func (c clientFlags) client() personajudgev1connect.CalibrationServiceClient {
	return personajudgev1connect.NewCalibrationServiceClient(http.DefaultClient, *c.addr, apiKeyOption())
}

func calibrateImport(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("calibrate import", flag.ContinueOnError)
	cf := addClientFlags(fs)
	path := fs.String("csv", "", "CSV file of outcomes (- for standard input)")
	format := fs.String("format", "generic", "generic (profile,certainty,correct[,options,position_consistency,logprob_confidence]) or personalized-judge (judgments.csv of the Personalized-Judge extract)")
	na := fs.String("na", importers.NALowest, "personalized-judge: a missing certainty is read as the lowest, 1 ("+importers.NALowest+", the extract's rule) or the row is dropped ("+importers.NASkip+")")
	batch := fs.Int("batch", 2000, "records per ImportOutcomes call; each call is all or nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" {
		return errors.New("--csv is required")
	}
	if *batch < 1 {
		return errors.New("--batch must be at least 1")
	}
	if *na != importers.NALowest && *na != importers.NASkip {
		return fmt.Errorf("--na %q: want %s or %s", *na, importers.NALowest, importers.NASkip)
	}
	var in io.Reader = os.Stdin
	if *path != "-" {
		f, err := os.Open(*path)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	// The whole file is read and checked before the first batch is sent.
	var records []*pb.RawOutcome
	switch *format {
	case "generic":
		var err error
		if records, err = importers.ReadGenericCSV(in); err != nil {
			return fmt.Errorf("%s: %w", *path, err)
		}
	case "personalized-judge":
		rows, st, err := importers.ReadPersonalizedJudge(in, *na)
		if err != nil {
			return fmt.Errorf("%s: %w", *path, err)
		}
		for _, r := range rows {
			records = append(records, r.Record)
		}
		fmt.Fprintf(out, "read %d rows: kept %d; skipped %d of other settings, %d with an answer other than A/B, %d without certainty; %d without certainty read as 1; %d certainties clamped to 1..100\n",
			st.Rows, st.Kept, st.OtherSetting, st.NotAB, st.NASkipped, st.NA, st.Clamped)
	default:
		return fmt.Errorf("--format %q: want generic or personalized-judge", *format)
	}
	if len(records) == 0 {
		return errors.New("no records to import")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *cf.timeout)
	defer cancel()
	client := cf.client()
	imported := 0
	for start := 0; start < len(records); start += *batch {
		end := min(start+*batch, len(records))
		resp, err := client.ImportOutcomes(ctx, &pb.ImportOutcomesRequest{Records: records[start:end]})
		if err != nil {
			return fmt.Errorf("records %d-%d (%d imported before them): %w", start, end-1, imported, err)
		}
		imported += int(resp.Imported)
	}
	perProfile := map[string]int{}
	for _, r := range records {
		perProfile[r.Profile]++
	}
	profiles := make([]string, 0, len(perProfile))
	for p := range perProfile {
		profiles = append(profiles, p)
	}
	sort.Strings(profiles)
	fmt.Fprintf(out, "imported %d records\n", imported)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "profile\trecords")
	for _, p := range profiles {
		fmt.Fprintf(tw, "%s\t%d\n", p, perProfile[p])
	}
	return tw.Flush()
}

func calibrateFit(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("calibrate fit", flag.ContinueOnError)
	cf := addClientFlags(fs)
	profile := fs.String("profile", "", "judge profile to fit")
	method := fs.String("method", "", "isotonic, histogram, platt, base_rate or venn_abers")
	target := fs.Float64("target-precision", 0.9, "target precision of the high-certainty threshold, in (0.5, 1)")
	folds := fs.Int("folds", 0, "cross-fitting folds for held-out metrics (0: the server's default, 5)")
	bins := fs.Int("bins", 0, "histogram bins (0: 10)")
	useCons := fs.Bool("use-consistency", false, "platt: also use position consistency")
	useLP := fs.Bool("use-logprob", false, "platt: also use logprob confidence (needs --no-activate)")
	noActivate := fs.Bool("no-activate", false, "store the calibrator without making it active")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *profile == "" {
		return errors.New("--profile is required")
	}
	m, err := calibration.ParseMethod(*method)
	if err != nil {
		return fmt.Errorf("--method: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *cf.timeout)
	defer cancel()
	resp, err := cf.client().FitCalibrator(ctx, &pb.FitCalibratorRequest{
		Profile: *profile, Method: methodEnums[m], TargetPrecision: *target, Folds: int32(*folds), Bins: int32(*bins),
		UsePositionConsistency: *useCons, UseLogprob: *useLP, DoNotActivate: *noActivate,
	})
	if err != nil {
		return err
	}
	c := resp.Calibrator
	state := "active"
	if !c.Active {
		state = "stored, not active"
	}
	fmt.Fprintf(out, "fitted %s %s (%s on %d outcomes), %s\n\n", c.Profile, c.Version, m, c.N, state)
	return printReport(out, resp.Report)
}

// methodEnums maps the CLI's method names to the API enum.
var methodEnums = map[calibration.Method]pb.CalibrationMethod{
	calibration.MethodHistogram: pb.CalibrationMethod_CALIBRATION_METHOD_HISTOGRAM,
	calibration.MethodIsotonic:  pb.CalibrationMethod_CALIBRATION_METHOD_ISOTONIC,
	calibration.MethodPlatt:     pb.CalibrationMethod_CALIBRATION_METHOD_PLATT,
	calibration.MethodBaseRate:  pb.CalibrationMethod_CALIBRATION_METHOD_BASE_RATE,
	calibration.MethodVennAbers: pb.CalibrationMethod_CALIBRATION_METHOD_VENN_ABERS,
}

func calibrateReport(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("calibrate report", flag.ContinueOnError)
	cf := addClientFlags(fs)
	profile := fs.String("profile", "", "judge profile to report on")
	version := fs.String("version", "", "calibrator version (default: the active one)")
	plotPath := fs.String("plot", "", "also write the reliability diagram and risk-coverage curve to this .png or .svg file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *profile == "" {
		return errors.New("--profile is required")
	}
	if *plotPath != "" {
		if _, err := plots.Format(*plotPath); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), *cf.timeout)
	defer cancel()
	resp, err := cf.client().GetCalibrationReport(ctx, &pb.GetCalibrationReportRequest{Profile: *profile, CalibratorVersion: *version})
	if err != nil {
		return err
	}
	if err := printReport(out, resp.Report); err != nil {
		return err
	}
	if *plotPath != "" {
		if err := plots.WriteFile(*plotPath, resp.Report); err != nil {
			return fmt.Errorf("--plot: %w", err)
		}
		fmt.Fprintf(out, "\nwrote %s\n", *plotPath)
	}
	return nil
}

// printReport prints raw and calibrated metrics side by side, then the
// high-certainty threshold with its evidence.
func printReport(out io.Writer, r *pb.CalibrationReport) error {
	version := r.CalibratorVersion
	if version == "" {
		version = "none (raw certainty only)"
	}
	fmt.Fprintf(out, "profile     %s\ncalibrator  %s\n\n", r.Profile, version)
	fmt.Fprintf(out, "%-10s %10s %12s\n", "metric", "raw", "calibrated")
	cal := r.Calibrated
	row := func(name string, get func(*pb.CalibrationMetrics) string) {
		c := "-"
		if cal != nil {
			c = get(cal)
		}
		fmt.Fprintf(out, "%-10s %10s %12s\n", name, get(r.Raw), c)
	}
	f4 := func(x float64) string { return fmt.Sprintf("%.4f", x) }
	row("n", func(m *pb.CalibrationMetrics) string { return fmt.Sprint(m.GetN()) })
	row("accuracy", func(m *pb.CalibrationMetrics) string { return f4(m.GetAccuracy()) })
	row("ECE10", func(m *pb.CalibrationMetrics) string { return f4(m.GetEce10()) })
	row("ECE20", func(m *pb.CalibrationMetrics) string { return f4(m.GetEce20()) })
	row("MCE", func(m *pb.CalibrationMetrics) string { return f4(m.GetMce()) })
	row("Brier", func(m *pb.CalibrationMetrics) string { return f4(m.GetBrier()) })
	row("log loss", func(m *pb.CalibrationMetrics) string { return f4(m.GetLogLoss()) })
	row("AUROC", func(m *pb.CalibrationMetrics) string { return f4(m.GetAuroc()) })
	th := r.Threshold
	switch {
	case th == nil:
		// No calibrator: no threshold.
	case th.Found:
		fmt.Fprintf(out, "\nhigh certainty: %s >= %.4f (target precision %.2f, fixed-sequence test)\n"+
			"  coverage %.4f (%d kept), precision %.4f, one-sided 95%% lower bound %.4f\n",
			basisWords(th.Basis), th.Threshold, th.TargetPrecision, th.Coverage, th.Kept, th.Precision, th.LowerBound)
	default:
		fmt.Fprintf(out, "\nhigh certainty: no threshold reaches precision %.2f with 95%% confidence on held-out outcomes; high_certainty stays false\n",
			th.TargetPrecision)
	}
	if h := r.HeldOut; h != nil {
		fmt.Fprintf(out, "held out (%d): ECE10 fold-wise %.4f [%.4f, %.4f], Brier skill vs base rate %.4f, vs identity %.4f\n",
			h.N, h.Ece10, h.Ece10Lower, h.Ece10Upper, h.BrierSkillBase, h.BrierSkillIdentity)
	}
	if f := r.FixedRule; f != nil {
		fmt.Fprintf(out, "fixed rule certainty >= 80: coverage %.4f (%d kept), precision %.4f, lower bound %.4f\n",
			f.Coverage, f.Kept, f.Precision, f.LowerBound)
	}
	if c := r.Samples; c != nil {
		fmt.Fprintf(out, "outcomes used %d; left out: %d abstentions, %d disagreement ties, %d others\n",
			c.Used, c.Abstained, c.DisagreementTies, c.OtherExcluded)
	}
	return nil
}

// basisWords names the score a high-certainty cut applies to.
func basisWords(basis string) string {
	if basis == "confidence" {
		return "identity-mapped certainty"
	}
	return "calibrated probability"
}
