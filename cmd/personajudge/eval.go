package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/personajudge/personajudge/eval"
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
	_, err = evalRun(ctx, o)
	return err
}

// evalRun runs the evaluation o describes, against --addr or a service
// started in this process, and prints the summary.
func evalRun(ctx context.Context, o evalOptions) (*eval.Summary, error) {
	cfg := o.cfg
	cfg.Addr = o.addr
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
	return eval.Run(ctx, cfg)
}
