// Package store persists judgments (and later outcomes, calibrators and the
// LLM cache) in an embedded SQLite database in WAL mode. Every write is one
// transaction; a judgment is acknowledged to a caller only after its commit.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

// ErrNotFound is returned for an unknown id.
var ErrNotFound = errors.New("not found")

// Store is the embedded database.
type Store struct {
	// db serves reads, several at once (WAL lets readers run beside the
	// writer). w is the only connection that writes: SQLite allows one
	// writer at a time, and queueing writers here, in Go, is far cheaper
	// than letting many connections collide and sleep in the busy handler.
	db *sql.DB
	w  *sql.DB
}

// Open opens (creating if needed) the database at path and migrates it.
// synchronous=FULL makes a commit durable before it returns, so a crash or
// power loss right after a response was sent loses nothing acknowledged.
func Open(ctx context.Context, path string) (*Store, error) {
	w, err := openHandle(ctx, path, false)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	s := &Store{w: w}
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("migrate store %s: %w", path, err)
	}
	if err := s.backfillFacets(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("index judgments in %s: %w", path, err)
	}
	if s.db, err = openHandle(ctx, path, true); err != nil {
		w.Close()
		return nil, err
	}
	return s, nil
}

func openHandle(ctx context.Context, path string, readOnly bool) (*sql.DB, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return db, nil
}

// Close closes the database.
func (s *Store) Close() error { return errors.Join(s.db.Close(), s.w.Close()) }

// DB exposes the writing handle, for tests and maintenance that need raw SQL.
func (s *Store) DB() *sql.DB { return s.w }

// IntegrityCheck runs PRAGMA integrity_check and returns its verdict.
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	var res string
	err := s.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res)
	return res, err
}
