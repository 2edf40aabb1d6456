package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// handle is a *sql.DB that speaks the store's portable SQL: it rewrites
// placeholders and arguments for the dialect and, where the driver does
// not keep prepared statements itself (SQLite; pgx caches them per
// connection), prepares each statement once and reuses it. Preparing was a
// larger share of a judgment's CPU than running the statements.
type handle struct {
	db      *sql.DB
	d       *dialect
	prepare bool
	// commits counts this handle's commits (autocommitted Execs and
	// transactions); nil for a read-only handle.
	commits *atomic.Uint64

	mu    sync.RWMutex
	stmts map[string]*statement
}

// statement is a query as the backend reads it, prepared where the handle
// prepares.
type statement struct {
	query string
	st    *sql.Stmt
}

// maxStatements bounds the prepared-statement cache, in case a caller
// builds SQL text per call; beyond it statements run unprepared.
const maxStatements = 512

func newHandle(db *sql.DB, d *dialect, prepare bool, commits *atomic.Uint64) *handle {
	return &handle{db: db, d: d, prepare: prepare, commits: commits, stmts: map[string]*statement{}}
}

func (h *handle) statement(ctx context.Context, query string) (*statement, error) {
	h.mu.RLock()
	s, ok := h.stmts[query]
	h.mu.RUnlock()
	if ok {
		return s, nil
	}
	s = &statement{query: h.d.rebind(query)}
	if h.prepare {
		st, err := h.db.PrepareContext(ctx, s.query)
		if err != nil {
			return nil, err
		}
		s.st = st
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if old, ok := h.stmts[query]; ok {
		if s.st != nil {
			s.st.Close()
		}
		return old, nil
	}
	if len(h.stmts) >= maxStatements {
		if s.st != nil {
			s.st.Close()
			s.st = nil
		}
		return s, nil
	}
	h.stmts[query] = s
	return s, nil
}

func (h *handle) close() error {
	h.mu.Lock()
	for _, s := range h.stmts {
		if s.st != nil {
			s.st.Close()
		}
	}
	h.stmts = map[string]*statement{}
	h.mu.Unlock()
	return h.db.Close()
}

func (h *handle) countCommit() {
	if h.commits != nil {
		h.commits.Add(1)
	}
}

func (h *handle) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := h.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	var res sql.Result
	if s.st != nil {
		res, err = s.st.ExecContext(ctx, h.d.args(args)...)
	} else {
		res, err = h.db.ExecContext(ctx, s.query, h.d.args(args)...)
	}
	if err == nil {
		h.countCommit()
	}
	return res, err
}

func (h *handle) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := h.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if s.st != nil {
		return s.st.QueryContext(ctx, h.d.args(args)...)
	}
	return h.db.QueryContext(ctx, s.query, h.d.args(args)...)
}

// QueryRowContext runs a query expected to return at most one row; a
// failure to prepare it is reported by Scan, as *sql.DB does.
func (h *handle) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := h.statement(ctx, query)
	if err != nil || s.st == nil {
		// An unprepared query, or one that failed to prepare: run it as it
		// is, so the error (if any) surfaces through Scan.
		q := h.d.rebind(query)
		return h.db.QueryRowContext(ctx, q, h.d.args(args)...)
	}
	return s.st.QueryRowContext(ctx, h.d.args(args)...)
}

// BeginTx starts a transaction whose statements are rewritten and reused
// as the handle's are.
func (h *handle) BeginTx(ctx context.Context, opts *sql.TxOptions) (*tx, error) {
	t, err := h.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &tx{tx: t, h: h}, nil
}

// tx is a transaction on a handle.
type tx struct {
	tx *sql.Tx
	h  *handle
}

// stmt returns the handle's prepared statement bound to the transaction
// when the handle has one. It never prepares: preparing on the pool would
// need a second connection, and SQLite's writer pool has one, held by this
// transaction. A statement not yet prepared runs as text (rebound).
func (t *tx) stmt(ctx context.Context, query string) (*sql.Stmt, string) {
	t.h.mu.RLock()
	s, ok := t.h.stmts[query]
	t.h.mu.RUnlock()
	if !ok || s.st == nil {
		return nil, t.h.d.rebind(query)
	}
	// The transaction's connection reuses the statement prepared on it.
	return t.tx.StmtContext(ctx, s.st), s.query
}

func (t *tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, q := t.stmt(ctx, query)
	if st != nil {
		return st.ExecContext(ctx, t.h.d.args(args)...)
	}
	return t.tx.ExecContext(ctx, q, t.h.d.args(args)...)
}

func (t *tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, q := t.stmt(ctx, query)
	if st != nil {
		return st.QueryContext(ctx, t.h.d.args(args)...)
	}
	return t.tx.QueryContext(ctx, q, t.h.d.args(args)...)
}

func (t *tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, q := t.stmt(ctx, query)
	if st == nil {
		return t.tx.QueryRowContext(ctx, q, t.h.d.args(args)...)
	}
	return st.QueryRowContext(ctx, t.h.d.args(args)...)
}

// PrepareContext prepares a statement for repeated use inside the
// transaction (a bulk insert); it is closed with the transaction.
func (t *tx) PrepareContext(ctx context.Context, query string) (*txStmt, error) {
	st, q := t.stmt(ctx, query)
	if st == nil {
		var err error
		if st, err = t.tx.PrepareContext(ctx, q); err != nil {
			return nil, err
		}
	}
	return &txStmt{st: st, d: t.h.d}, nil
}

func (t *tx) Commit() error {
	err := t.tx.Commit()
	if err == nil {
		t.h.countCommit()
	}
	return err
}

func (t *tx) Rollback() error { return t.tx.Rollback() }

// txStmt is a statement prepared in a transaction.
type txStmt struct {
	st *sql.Stmt
	d  *dialect
}

func (s *txStmt) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return s.st.ExecContext(ctx, s.d.args(args)...)
}

func (s *txStmt) Close() error { return s.st.Close() }
