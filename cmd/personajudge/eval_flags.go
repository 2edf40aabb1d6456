package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// evalOptions is everything `eval` was asked to do.
type evalOptions struct {
	in, out     string
	addr        string
	local       bool
	localOpts   localOptions
	inFlight    int
	orderPolicy pb.OrderPolicy // UNSPECIFIED: keep each item's
	cache       pb.CachePolicy // UNSPECIFIED: keep each item's
	retryErrors bool
	// recordOutcomes sends the labels of labelled VERDICT results to
	// RecordOutcomes, outcomesBatch at a time (eval_outcomes.go).
	recordOutcomes bool
	outcomesBatch  int
	progress       string
	progressEvery  time.Duration
	syncEvery      time.Duration
	stdout         io.Writer
	stderr         io.Writer
}

func parseEvalFlags(args []string) (evalOptions, error) {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: personajudge eval --in items.jsonl --out results.jsonl [--addr URL | --local ...]\n\nflags:")
		fs.PrintDefaults()
	}
	o := evalOptions{stdout: os.Stdout, stderr: os.Stderr}
	fs.StringVar(&o.in, "in", "", "dataset: JSON lines of {\"request\": ScoreRequest, \"label\": Label} (required)")
	fs.StringVar(&o.out, "out", "", "results: JSON lines, appended; items already in it are skipped (required)")
	fs.StringVar(&o.addr, "addr", "http://127.0.0.1:8080", "base URL of a running personajudge service (without --local)")
	fs.BoolVar(&o.local, "local", false, "run the service in this process instead of calling --addr")
	fs.StringVar(&o.localOpts.db, "db", "", "with --local: SQLite database (ledger and LLM cache); default a temporary file")
	fs.StringVar(&o.localOpts.modelsFile, "models", "", "with --local: JSON models file; default an in-process simulator set by the sim flags")
	fs.IntVar(&o.localOpts.maxConcurrency, "max-concurrency", 64, "with --local and the simulator: the model's concurrency limit")
	fs.IntVar(&o.localOpts.maxRetries, "max-retries", 3, "with --local and the simulator: HTTP retries per call (429, 5xx)")
	fs.IntVar(&o.localOpts.maxReasks, "max-reasks", 2, "with --local: re-asks after unreadable judge output")
	// Enough to keep a 64-call model limit busy on swapped items with room
	// to spare; far more only piles writers onto the store's lock.
	fs.IntVar(&o.inFlight, "in-flight", 128, "items sent but not yet answered, at most")
	fs.BoolVar(&o.retryErrors, "retry-errors", false, "judge again the items whose result in --out is JUDGE_ERROR (their lines are removed first)")
	fs.BoolVar(&o.recordOutcomes, "record-outcomes", false, "after the run, record the label of every labelled VERDICT result in --out (this run's and earlier ones') with CalibrationService.RecordOutcomes, for fitting calibrators; needs an admin key when the service has keys, and --db with --local")
	fs.IntVar(&o.outcomesBatch, "outcomes-batch", 500, "with --record-outcomes: labels per RecordOutcomes call")
	order := fs.String("order-policy", "", "override each item's order policy: cyclic, reversed or single")
	cache := fs.String("cache", "", "override each item's cache policy: use, refresh or bypass")
	fs.StringVar(&o.progress, "progress", "auto", "progress display: auto (a bar on a terminal, lines otherwise), bar, lines or off")
	fs.DurationVar(&o.progressEvery, "progress-every", 10*time.Second, "interval of plain progress lines")
	fs.DurationVar(&o.syncEvery, "sync-every", time.Second, "how often results are flushed and fsynced to --out")
	simConfig := addSimFlags(fs)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.in == "" || o.out == "" {
		return o, errors.New("--in and --out are required")
	}
	if o.inFlight < 1 {
		return o, errors.New("--in-flight must be at least 1")
	}
	if o.outcomesBatch < 1 {
		return o, errors.New("--outcomes-batch must be at least 1")
	}
	if o.recordOutcomes && o.local && o.localOpts.db == "" {
		return o, errors.New("--record-outcomes with --local needs --db: the temporary database, labels included, is removed when eval ends")
	}
	var err error
	if o.orderPolicy, err = enumFlag[pb.OrderPolicy]("order-policy", *order, "ORDER_POLICY_", pb.OrderPolicy_value); err != nil {
		return o, err
	}
	if o.cache, err = enumFlag[pb.CachePolicy]("cache", *cache, "CACHE_POLICY_", pb.CachePolicy_value); err != nil {
		return o, err
	}
	if o.progress, err = progressMode(o.progress); err != nil {
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
