package store

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// calibratorWatch is the store's change feed of active calibrators: it
// polls which version is active per profile and tells the subscribers of
// every profile whose active version changed, so that a calibrator fitted
// or activated through another replica is used here within one poll. A
// poll is one small indexed query; polling needs nothing beyond portable
// SQL, where LISTEN/NOTIFY would tie the feed to PostgreSQL.
type calibratorWatch struct {
	s      *Store
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex
	active map[string]string // profile -> active version, as last seen
	subs   []func(profile string)
}

// startCalibratorWatch reads the active versions now, so a change made
// after Open returns is never missed, then polls every interval.
func startCalibratorWatch(ctx context.Context, s *Store, every time.Duration) (*calibratorWatch, error) {
	active, err := s.activeVersions(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w := &calibratorWatch{s: s, cancel: cancel, done: make(chan struct{}), active: active}
	go w.run(ctx, every)
	return w, nil
}

func (w *calibratorWatch) stop() {
	w.cancel()
	<-w.done
}

func (w *calibratorWatch) run(ctx context.Context, every time.Duration) {
	defer close(w.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := w.poll(ctx); err != nil && ctx.Err() == nil {
			// The next poll tries again; until then calibrators stay as
			// they were.
			slog.Warn("store: reading active calibrators failed", "err", err)
		}
	}
}

func (w *calibratorWatch) poll(ctx context.Context) error {
	now, err := w.s.activeVersions(ctx)
	if err != nil {
		return err
	}
	w.mu.Lock()
	var changed []string
	for p, v := range now {
		if w.active[p] != v {
			changed = append(changed, p)
		}
	}
	for p := range w.active {
		if _, ok := now[p]; !ok {
			changed = append(changed, p)
		}
	}
	w.active = now
	subs := w.subs
	w.mu.Unlock()
	for _, p := range changed {
		for _, f := range subs {
			f(p)
		}
	}
	return nil
}

func (s *Store) activeVersions(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT profile, version FROM calibrators WHERE active = 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var p, v string
		if err := rows.Scan(&p, &v); err != nil {
			return nil, err
		}
		out[p] = v
	}
	return out, rows.Err()
}

// OnCalibratorChange calls f with a profile whenever its active calibrator
// changes in the database, through any process sharing it (polled; see
// WithCalibratorPoll). Changes made through this store are seen by the
// same poll. Without polling (SQLite by default) f is never called.
func (s *Store) OnCalibratorChange(f func(profile string)) {
	if s.watch == nil {
		return
	}
	s.watch.mu.Lock()
	s.watch.subs = append(s.watch.subs, f)
	s.watch.mu.Unlock()
}
