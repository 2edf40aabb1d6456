package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/personajudge/personajudge/eval"
	"github.com/personajudge/personajudge/internal/multiaddr"
)

// runEval is `personajudge eval`: it streams a labelled dataset through ScoreStream:
//
//	personajudge eval --in items.jsonl --out results.jsonl [--addr URL]
//	personajudge eval --local [--db FILE] [--models FILE | simulator flags] --in items.jsonl --out results.jsonl
//
// --in holds one {"request": ScoreRequest, "label": Label} per line
// (eval.Item); --out gets one {"itemId", "result", "label", "correct"} per
// line as results arrive (eval.ParseResult). Re-running the same command
// resumes: items already in --out are skipped. The pipeline is package
// eval; this command parses its flags (eval_flags.go) and, with --local,
// starts the service it calls (eval_local.go).
func runEval(args []string) error {
	o, err := parseEvalFlags(args)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, runErr := evalRun(ctx, o)
	if s == nil {
		return runErr
	}
	err = writeReports(o, s, runErr)
	if runErr != nil {
		return runErr
	}
	if len(o.gates) > 0 {
		if gerr := checkGates(o, s); gerr != nil {
			return gerr
		}
	}
	return err
}

// writeReports writes --summary-json and --junit, also for a run that did
// not complete (the reports then say so).
func writeReports(o evalOptions, s *eval.Summary, runErr error) error {
	for _, r := range []struct {
		path  string
		write func([]eval.Gate, error) ([]byte, error)
	}{{o.summaryJSON, s.JSON}, {o.junit, s.JUnit}, {o.html, func(g []eval.Gate, _ error) ([]byte, error) { return s.HTML(g) }}} {
		if r.path == "" {
			continue
		}
		b, err := r.write(o.gates, runErr)
		if err == nil {
			err = os.WriteFile(r.path, b, 0o644)
		}
		if err != nil {
			return fmt.Errorf("report %s: %w", r.path, err)
		}
	}
	return nil
}

// checkGates names every --fail-on rule the run breached; any breach fails
// the command (exit 1), so a CI job can gate on an evaluation.
func checkGates(o evalOptions, s *eval.Summary) error {
	breaches := s.Breaches(o.gates)
	for _, b := range breaches {
		fmt.Fprintln(o.stderr, "eval: --fail-on breached:", b)
	}
	if len(breaches) > 0 {
		return fmt.Errorf("%d of %d --fail-on rules breached", len(breaches), len(o.gates))
	}
	fmt.Fprintf(o.stdout, "eval: all %d --fail-on rules hold\n", len(o.gates))
	return nil
}

// evalRun runs the evaluation o describes, against --addr or a service
// started in this process, and prints the summary.
func evalRun(ctx context.Context, o evalOptions) (*eval.Summary, error) {
	cfg := o.cfg
	if !o.local {
		addrs, err := multiaddr.Parse(o.addr)
		if err != nil {
			return nil, fmt.Errorf("--addr: %w", err)
		}
		cfg.Addr, cfg.Addrs = addrs[0], addrs
	}
	if o.local {
		local, err := startLocal(o.localOpts)
		if err != nil {
			return nil, err
		}
		defer local.close()
		cfg.Addr = local.url
		if local.sim != nil {
			cfg.SimulatorCalls = func() int64 { return local.sim.Stats().Calls }
		}
	}
	cfg.HTTPClient = h2cClient(cfg.Addr)
	defer cfg.HTTPClient.CloseIdleConnections() // so an in-process service shuts down at once
	cfg.ClientOptions = append(cfg.ClientOptions, apiKeyOption())
	cfg.Report, cfg.Log = o.stdout, o.stderr
	s, err := eval.Run(ctx, cfg)
	if rerr := recordRun(ctx, o, cfg, s, err); rerr != nil {
		return s, errors.Join(err, rerr)
	}
	return s, err
}
