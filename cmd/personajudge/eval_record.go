package main

import (
	"context"
	"fmt"

	"github.com/personajudge/personajudge/eval"
)

// recordRun is --record-run: once eval.Run has returned, while the service
// (an in-process one with --local) is still up, it sends the summary with
// the --fail-on results to the service, where the console lists it. A run
// that did not finish is recorded too: its summary says so.
func recordRun(ctx context.Context, o evalOptions, cfg eval.Config, s *eval.Summary, runErr error) error {
	if o.recordRun == "" || s == nil {
		return nil
	}
	doc, err := s.JSON(o.gates, runErr)
	if err != nil {
		return err
	}
	id, err := eval.RecordRun(context.WithoutCancel(ctx), cfg, o.recordRun, doc)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.stdout, "eval: run recorded as %s (%q)\n", id, o.recordRun)
	return nil
}
