package eval

import (
	"context"
	"errors"
	"fmt"
	"time"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// Run judges every item of cfg.Dataset not yet in cfg.Results, appends the
// results, and writes the summary to cfg.Report. On a broken stream or a
// cancelled ctx it keeps what arrived and returns the summary so far with
// an error that says how to resume. Errors before any item is sent (a bad
// dataset line, an unreadable results file) return no summary.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := newSummary(&cfg)
	done, torn, err := loadResults(cfg.Results, func(r *pb.ScoreResponse, l *pb.Label) bool {
		if cfg.RetryErrors && r.Status == pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR {
			s.Retried++
			return false
		}
		s.add(r, l, false)
		return true
	})
	if err != nil {
		return nil, err
	}
	if torn > 0 {
		fmt.Fprintf(cfg.Log, "eval: cut a torn last line (%d bytes) off %s; its item is judged again\n", torn, cfg.Results)
	}
	todo, skipped, err := countTodo(cfg.Dataset, done)
	if err != nil {
		return nil, err
	}
	s.Skipped = skipped

	w, err := openResults(cfg.Results)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	prog := startProgress(cfg.Log, cfg.Progress, cfg.ProgressEvery, todo)
	runErr := streamItems(ctx, &cfg, done, w, s, prog)
	prog.finish()
	s.Wall = time.Since(start)
	if err := w.close(); err != nil && runErr == nil {
		runErr = err
	}
	if cfg.SimulatorCalls != nil {
		s.SimulatorCalls = cfg.SimulatorCalls()
	}
	if cfg.RecordOutcomes {
		if err := recordOutcomes(ctx, &cfg, s, runErr); err != nil && runErr == nil {
			runErr = err
		}
	}
	s.print(cfg.Report)
	switch {
	case errors.Is(runErr, ErrTooManyErrors):
		return s, fmt.Errorf("%w; %d of %d items judged this run; fix what the reason names, then run the same command with --retry-errors", runErr, s.Judged, todo)
	case runErr != nil:
		return s, fmt.Errorf("%w; %d of %d items judged this run; run the same command again to resume", runErr, s.Judged, todo)
	}
	return s, nil
}
