package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// groupCommit is SQLite's one writer: single-row writes (judgments, LLM
// cache rows) queue here and one goroutine commits them in batches, one
// transaction, one fsync, for every row that arrived while the previous
// commit was being made (up to maxRows). Before, each judgment cost three
// durable commits (two cache rows and the ledger row); under load a whole
// batch of judgments now shares one.
//
// Durability: a ledger row's caller is answered only after the commit that
// holds it. A cache row's caller is not kept waiting: its put returns once
// queued (reads of this process see it at once, through pending), and a
// batch of cache rows only is committed with synchronous=NORMAL, without
// fsync. A crash can lose such rows; the cache is rebuilt by the calls that
// miss it (a lost row costs one LLM call, never a judgment).
type groupCommit struct {
	w       *handle
	maxRows int
	window  time.Duration

	mu     sync.RWMutex // held for reading while sending on ops
	closed bool
	ops    chan *writeOp
	done   chan struct{}

	// pending holds cache rows queued but not yet committed, so this
	// process never misses its own cache write.
	pendMu  sync.Mutex
	pending map[string]*writeOp

	cacheOnly atomic.Uint64 // commits made without fsync
}

// sqlExec is one SQL statement and its arguments.
type sqlExec struct {
	query string
	args  []any
}

// writeOp is one caller's write: a row, or a few statements that must
// commit together (a judgment and its facet rows); they always share a
// transaction, whichever batch they land in.
type writeOp struct {
	stmts []sqlExec
	// durable: the caller waits for the commit (done gets its result);
	// otherwise it is a cache row (cacheKey, value) nobody waits for.
	durable  bool
	done     chan error
	cacheKey string
	value    []byte
}

var errClosed = errors.New("store is closed")

func startGroupCommit(w *handle, maxRows int, window time.Duration) *groupCommit {
	g := &groupCommit{
		w: w, maxRows: maxRows, window: window,
		ops: make(chan *writeOp, 4*maxRows), done: make(chan struct{}),
		pending: map[string]*writeOp{},
	}
	go g.run()
	return g
}

// write queues durable statements and waits for the commit that holds them.
func (g *groupCommit) write(ctx context.Context, stmts []sqlExec) error {
	op := &writeOp{stmts: stmts, durable: true, done: make(chan error, 1)}
	if err := g.enqueue(op); err != nil {
		return err
	}
	select {
	case err := <-op.done:
		return err
	case <-ctx.Done():
		// The row may still be committed; the caller cannot know.
		return ctx.Err()
	}
}

// putCache queues a cache row and returns without waiting for its commit.
func (g *groupCommit) putCache(key string, value []byte, query string, args ...any) error {
	op := &writeOp{stmts: []sqlExec{{query, args}}, cacheKey: key, value: value}
	g.pendMu.Lock()
	g.pending[key] = op
	g.pendMu.Unlock()
	if err := g.enqueue(op); err != nil {
		g.forget(op)
		return err
	}
	return nil
}

// cached returns a queued, not yet committed cache value.
func (g *groupCommit) cached(key string) ([]byte, bool) {
	g.pendMu.Lock()
	defer g.pendMu.Unlock()
	op, ok := g.pending[key]
	if !ok {
		return nil, false
	}
	return op.value, true
}

// forget drops a cache row from pending once committed (or failed), unless
// a newer put for the key replaced it.
func (g *groupCommit) forget(op *writeOp) {
	g.pendMu.Lock()
	if g.pending[op.cacheKey] == op {
		delete(g.pending, op.cacheKey)
	}
	g.pendMu.Unlock()
}

func (g *groupCommit) enqueue(op *writeOp) error {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.closed {
		return errClosed
	}
	g.ops <- op
	return nil
}

// close commits what is queued and stops the writer.
func (g *groupCommit) close() {
	g.mu.Lock()
	if !g.closed {
		g.closed = true
		close(g.ops)
	}
	g.mu.Unlock()
	<-g.done
}

func (g *groupCommit) run() {
	defer close(g.done)
	batch := make([]*writeOp, 0, g.maxRows)
	for {
		op, ok := <-g.ops
		if !ok {
			return
		}
		batch = append(batch[:0], op)
		batch = g.gather(batch)
		g.commit(batch)
	}
}

// gather adds the rows already queued, and with a window those that arrive
// within it, up to maxRows.
func (g *groupCommit) gather(batch []*writeOp) []*writeOp {
	var timeout <-chan time.Time
	if g.window > 0 {
		t := time.NewTimer(g.window)
		defer t.Stop()
		timeout = t.C
	}
	for len(batch) < g.maxRows {
		select {
		case op, ok := <-g.ops:
			if !ok {
				return batch
			}
			batch = append(batch, op)
			continue
		default:
		}
		if timeout == nil {
			return batch
		}
		select {
		case op, ok := <-g.ops:
			if !ok {
				return batch
			}
			batch = append(batch, op)
		case <-timeout:
			return batch
		}
	}
	return batch
}

// commit writes a batch in one transaction and answers its callers. If a
// row fails (a duplicate id, say), the batch is rolled back and each row
// committed on its own, so one bad row fails only its own caller.
func (g *groupCommit) commit(batch []*writeOp) {
	ctx := context.Background()
	err := g.commitTogether(ctx, batch)
	if err != nil && len(batch) > 1 {
		for _, op := range batch {
			g.finish(op, g.commitTogether(ctx, []*writeOp{op}))
		}
		return
	}
	for _, op := range batch {
		g.finish(op, err)
	}
}

func (g *groupCommit) finish(op *writeOp, err error) {
	if op.durable {
		op.done <- err
		return
	}
	g.forget(op)
}

func (g *groupCommit) commitTogether(ctx context.Context, batch []*writeOp) (err error) {
	durable := false
	for _, op := range batch {
		durable = durable || op.durable
	}
	// Prepare the batch's statements (once per process) before taking the
	// writer's only connection, which the transaction then reuses them on.
	for _, op := range batch {
		for _, st := range op.stmts {
			if _, err := g.w.statement(ctx, st.query); err != nil {
				return err
			}
		}
	}
	// One connection for the whole sequence, so that no other transaction
	// runs between the pragmas.
	conn, err := g.w.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if !durable {
		// Cache rows only: skip the fsync for this commit, then restore
		// FULL for whatever the connection commits next; a connection that
		// cannot be restored is discarded.
		if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = NORMAL"); err != nil {
			return err
		}
		defer func() {
			if _, rerr := conn.ExecContext(ctx, "PRAGMA synchronous = FULL"); rerr != nil {
				conn.Raw(func(any) error { return driver.ErrBadConn })
				err = errors.Join(err, rerr)
			}
		}()
	}
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	t := &tx{tx: sqlTx, h: g.w}
	for _, op := range batch {
		for _, st := range op.stmts {
			if _, err := t.ExecContext(ctx, st.query, st.args...); err != nil {
				t.Rollback()
				return err
			}
		}
	}
	if err := t.Commit(); err != nil {
		return err
	}
	if !durable {
		g.cacheOnly.Add(1)
	}
	return nil
}
