package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/personajudge/personajudge/eval"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/multiaddr"
)

// evalOptions is everything `eval` was asked to do.
type evalOptions struct {
	// cfg is the pipeline's part, from the flags; evalRun adds the service
	// address and client and the output writers.
	cfg       eval.Config
	addr      string
	local     bool
	localOpts localOptions
	// gates are the --fail-on rules checked against the summary.
	gates []eval.Gate
	// summaryJSON and junit name the machine-readable reports to write.
	summaryJSON, junit string
	// recordRun names the run recorded with the service when it ends;
	// "" records nothing.
	recordRun string
	// html names the self-contained HTML report to write.
	html   string
	stdout io.Writer
	stderr io.Writer
}

func parseEvalFlags(args []string) (evalOptions, error) {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: personajudge eval --in items.jsonl --out results.jsonl [--addr URL | --local ...]\n\nflags:")
		fs.PrintDefaults()
	}
	o := evalOptions{stdout: os.Stdout, stderr: os.Stderr}
	fs.StringVar(&o.cfg.Dataset, "in", "", "dataset: JSON lines of {\"request\": ScoreRequest, \"label\": Label} (required)")
	fs.StringVar(&o.cfg.Results, "out", "", "results: JSON lines, appended; items already in it are skipped (required)")
	fs.StringVar(&o.addr, "addr", multiaddr.Default("http://127.0.0.1:8080"), "base URL of a running personajudge service, or a comma-separated list of replicas to spread items over (without --local; default $"+multiaddr.EnvVar+" when set)")
	fs.BoolVar(&o.local, "local", false, "run the service in this process instead of calling --addr")
	fs.StringVar(&o.localOpts.db, "db", "", "with --local: SQLite database file or postgres:// DSN (ledger and LLM cache); default a temporary SQLite file")
	fs.StringVar(&o.localOpts.modelsFile, "models", "", "with --local: JSON models file; default an in-process simulator set by the sim flags")
	fs.IntVar(&o.localOpts.maxConcurrency, "max-concurrency", 64, "with --local and the simulator: the model's concurrency limit")
	fs.IntVar(&o.localOpts.maxRetries, "max-retries", 3, "with --local and the simulator: HTTP retries per call (429, 5xx)")
	fs.IntVar(&o.localOpts.maxReasks, "max-reasks", 2, "with --local: re-asks after unreadable judge output")
	fs.IntVar(&o.cfg.InFlight, "in-flight", eval.DefaultInFlight, "items sent but not yet answered, at most")
	fs.BoolVar(&o.cfg.RetryErrors, "retry-errors", false, "judge again the items whose result in --out is JUDGE_ERROR (their lines are removed first)")
	fs.BoolVar(&o.cfg.RecordOutcomes, "record-outcomes", false, "after the run, record the label of every labelled VERDICT result in --out (this run's and earlier ones') with CalibrationService.RecordOutcomes, for fitting calibrators; needs an admin key when the service has keys, and --db with --local")
	fs.IntVar(&o.cfg.OutcomesBatch, "outcomes-batch", eval.DefaultOutcomesBatch, "with --record-outcomes: labels per RecordOutcomes call")
	order := fs.String("order-policy", "", "override each item's order policy: cyclic, reversed or single")
	cache := fs.String("cache", "", "override each item's cache policy: use, refresh or bypass")
	progress := fs.String("progress", "auto", "progress display: auto (a bar on a terminal, lines otherwise), bar, lines or off")
	fs.DurationVar(&o.cfg.ProgressEvery, "progress-every", 10*time.Second, "interval of plain progress lines")
	fs.DurationVar(&o.cfg.SyncEvery, "sync-every", eval.DefaultSyncEvery, "how often results are flushed and fsynced to --out")
	failOn := fs.String("fail-on", "", "comma-separated rules that fail the run (exit 1) when they hold, e.g. 'judge_error_rate>0.02,accuracy<0.8'; metrics: "+strings.Join(eval.MetricNames(), ", "))
	fs.StringVar(&o.summaryJSON, "summary-json", "", "write the summary, every metric with its n, the failure reasons and the --fail-on results as JSON to this file")
	fs.StringVar(&o.recordRun, "record-run", "", "when the run ends, record its summary with the service under this name (ConsoleService.RecordEvalRun), where the web console lists it; needs a score key when the service has keys")
	fs.StringVar(&o.junit, "junit", "", "write a JUnit XML report to this file: the run and each --fail-on rule as a test case")
	fs.StringVar(&o.html, "report", "", "write a self-contained HTML report to this file: figures with intervals, gates, reliability and risk-coverage diagrams, persona variants, slices, worst items")
	fs.StringVar(&o.html, "html", "", "the same as --report")
	stopAfter := fs.Int("stop-after-errors", eval.DefaultStopAfterErrors, "stop the run after this many JUDGE_ERROR results in a row (an unreachable backend, say); 0: never")
	simConfig := addSimFlags(fs)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.cfg.Dataset == "" || o.cfg.Results == "" {
		return o, errors.New("--in and --out are required")
	}
	if o.cfg.InFlight < 1 {
		return o, errors.New("--in-flight must be at least 1")
	}
	if o.cfg.OutcomesBatch < 1 {
		return o, errors.New("--outcomes-batch must be at least 1")
	}
	if o.cfg.RecordOutcomes && o.local && o.localOpts.db == "" {
		return o, errors.New("--record-outcomes with --local needs --db: the temporary database, labels included, is removed when eval ends")
	}
	var err error
	if *failOn != "" {
		if o.gates, err = eval.ParseGates(*failOn); err != nil {
			return o, fmt.Errorf("--fail-on: %w", err)
		}
	}
	switch {
	case *stopAfter < 0:
		return o, errors.New("--stop-after-errors must be 0 (never) or more")
	case *stopAfter == 0:
		o.cfg.StopAfterErrors = -1
	default:
		o.cfg.StopAfterErrors = *stopAfter
	}
	if o.cfg.OrderPolicy, err = enumFlag[pb.OrderPolicy]("order-policy", *order, "ORDER_POLICY_", pb.OrderPolicy_value); err != nil {
		return o, err
	}
	if o.cfg.Cache, err = enumFlag[pb.CachePolicy]("cache", *cache, "CACHE_POLICY_", pb.CachePolicy_value); err != nil {
		return o, err
	}
	if o.cfg.Progress, err = progressStyle(*progress); err != nil {
		return o, err
	}
	// Simulator flags without the simulator would silently do nothing.
	var misplaced []string
	fs.Visit(func(f *flag.Flag) {
		if isSimFlag(f.Name) && (!o.local || o.localOpts.modelsFile != "") {
			misplaced = append(misplaced, "--"+f.Name)
		}
		if (f.Name == "db" || f.Name == "models" || f.Name == "max-reasks") && !o.local {
			misplaced = append(misplaced, "--"+f.Name)
		}
	})
	if len(misplaced) > 0 {
		return o, fmt.Errorf("%s only apply with --local (simulator flags: with --local and no --models)", strings.Join(misplaced, ", "))
	}
	o.localOpts.sim, err = simConfig()
	o.localOpts.log = o.stderr
	return o, err
}

// progressStyle reads --progress; auto is a bar when stderr is a terminal,
// plain lines otherwise (logs, CI).
func progressStyle(mode string) (eval.ProgressStyle, error) {
	switch mode {
	case "bar":
		return eval.ProgressBar, nil
	case "lines":
		return eval.ProgressLines, nil
	case "off":
		return eval.ProgressOff, nil
	case "auto", "":
		if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return eval.ProgressBar, nil
		}
		return eval.ProgressLines, nil
	}
	return eval.ProgressOff, fmt.Errorf("--progress must be auto, bar, lines or off, not %q", mode)
}

func isSimFlag(name string) bool {
	switch name {
	case "latency", "latency-dist", "latency-max", "latency-sigma", "accuracy", "position-bias", "overconfidence",
		"certainty-exponent", "certainty-noise", "rate-429", "rate-500", "rate-malformed", "retry-after", "capacity", "seed", "max-concurrency", "max-retries":
		return true
	}
	return false
}

// enumFlag maps "single" to ORDER_POLICY_SINGLE and the like; "" is 0.
func enumFlag[E ~int32](name, v, prefix string, values map[string]int32) (E, error) {
	if v == "" {
		return 0, nil
	}
	n, ok := values[prefix+strings.ToUpper(v)]
	if !ok || n == 0 {
		return 0, fmt.Errorf("--%s: unknown value %q", name, v)
	}
	return E(n), nil
}
