// Package store persists judgments, outcomes, imported outcomes,
// calibrators and the LLM cache, in an embedded SQLite database (WAL, the
// default: a file path) or in PostgreSQL (a postgres:// DSN, shared by
// several replicas of the service). It persists rows and decides nothing.
//
// One Store type serves both backends over database/sql; what differs is a
// small dialect (dialect.go), so a method is written once:
//
//   - Adding a method: write it in a new file on *Store with portable SQL
//     (standard SQL valid on SQLite and PostgreSQL: `?` placeholders,
//     `INSERT ... ON CONFLICT (...) DO ...`, no backend-only functions,
//     times as integer unix millis, booleans as INTEGER 0/1 columns that
//     take Go bools). Read through s.db, write through s.w, both *handle:
//     they rewrite `?` to `$n` and bools to 0/1 for PostgreSQL, and prepare
//     each statement once on SQLite. A transaction is s.w.BeginTx.
//     Statements run once per commit elsewhere; a hot single-row write
//     that should be group-committed on SQLite goes through s.write (see
//     groupcommit.go), as SaveJudgment and PutResponse do.
//   - Adding a migration: append one entry to migrations (migrations.go),
//     in SQLite type names (INTEGER, REAL, TEXT, BLOB; INTEGER PRIMARY KEY
//     for an automatic id). The PostgreSQL dialect maps them (BIGINT,
//     DOUBLE PRECISION, BYTEA, an identity column). SQLite records the
//     count in user_version; PostgreSQL in schema_migrations, applied under
//     pg_advisory_lock so that replicas starting together migrate once.
//
// Durability: a judgment is acknowledged only after the commit that holds
// it (synchronous=FULL on SQLite); LLM cache rows are written at weaker
// durability (see groupcommit.go), since losing one costs only a re-call.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// ErrNotFound is returned for an unknown id.
var ErrNotFound = errors.New("not found")

// Store is the database, embedded SQLite or PostgreSQL.
type Store struct {
	d *dialect
	// db serves reads, w writes; on SQLite they are separate pools (WAL
	// lets readers run beside the single writer connection, and queueing
	// writers in Go is far cheaper than SQLite's busy handler), on
	// PostgreSQL one pool.
	db, w *handle
	raw   *sql.DB // the writing pool, for DB()

	// gc batches single-row writes into shared commits (SQLite only; nil
	// on PostgreSQL, whose connections commit concurrently).
	gc *groupCommit

	commits atomic.Uint64
	watch   *calibratorWatch
}

// Option configures Open.
type Option func(*options)

type options struct {
	commitRows     int
	commitWindow   time.Duration
	calibratorPoll time.Duration
}

// WithGroupCommit sets how many rows one SQLite commit may hold and how
// long the writer waits for more rows to join a commit once it has one
// (default 256 rows and no wait: the rows that arrive while a commit is
// being made form the next one).
func WithGroupCommit(rows int, window time.Duration) Option {
	return func(o *options) {
		if rows > 0 {
			o.commitRows = rows
		}
		if window >= 0 {
			o.commitWindow = window
		}
	}
}

// WithCalibratorPoll sets how often the store looks for calibrators
// activated by another process (default 250ms on PostgreSQL, off on
// SQLite, whose file one process serves); 0 turns it off.
func WithCalibratorPoll(every time.Duration) Option {
	return func(o *options) { o.calibratorPoll = every }
}

// IsPostgres reports whether a --db value names a PostgreSQL database
// rather than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens (creating if needed) the database and migrates it: a
// postgres:// or postgresql:// DSN opens PostgreSQL, anything else is a
// SQLite file path.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	o := options{commitRows: 256, calibratorPoll: -1}
	for _, f := range opts {
		f(&o)
	}
	var s *Store
	var err error
	if IsPostgres(dsn) {
		if o.calibratorPoll < 0 {
			o.calibratorPoll = 250 * time.Millisecond
		}
		s, err = openPostgres(ctx, dsn)
	} else {
		s, err = openSQLite(ctx, dsn, o)
	}
	if err != nil {
		return nil, err
	}
	// Index judgments recorded before the console's facet tables existed.
	if err := s.backfillFacets(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("index stored judgments: %w", err)
	}
	if o.calibratorPoll > 0 {
		if s.watch, err = startCalibratorWatch(ctx, s, o.calibratorPoll); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close stops the background work, commits what is queued and closes the
// database.
func (s *Store) Close() error {
	if s.watch != nil {
		s.watch.stop()
	}
	var errs []error
	if s.gc != nil {
		s.gc.close()
	}
	if s.db != s.w {
		errs = append(errs, s.db.close())
	}
	errs = append(errs, s.w.close())
	return errors.Join(errs...)
}

// Backend names the database in use: "sqlite" or "postgres".
func (s *Store) Backend() string { return s.d.name }

// DB exposes the writing pool, for tests and maintenance that need raw SQL
// (in the backend's own dialect).
func (s *Store) DB() *sql.DB { return s.raw }

// Stats are the store's counters since Open.
type Stats struct {
	// Commits counts transactions committed by this store (a group commit
	// holding many rows counts once).
	Commits uint64
	// DurableCommits counts the commits made durable before returning
	// (fsync on SQLite); a commit of cache rows only is not.
	DurableCommits uint64
}

// Stats returns the store's counters.
func (s *Store) Stats() Stats {
	st := Stats{Commits: s.commits.Load(), DurableCommits: s.commits.Load()}
	if s.gc != nil {
		st.DurableCommits -= s.gc.cacheOnly.Load()
	}
	return st
}

// IntegrityCheck verifies the database: SQLite's PRAGMA integrity_check
// verdict ("ok" when sound); PostgreSQL keeps its own consistency and
// answers "ok" once it is reachable.
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	if s.d != sqliteDialect {
		if err := s.raw.PingContext(ctx); err != nil {
			return "", err
		}
		return "ok", nil
	}
	var res string
	err := s.db.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res)
	return res, err
}

// Redact returns a --db value fit for logs: a PostgreSQL DSN without its
// password.
func Redact(dsn string) string {
	if !IsPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unparsable DSN)"
	}
	return u.Redacted()
}
