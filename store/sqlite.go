package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

// openSQLite opens (creating if needed) the database file at path and
// migrates it. synchronous=FULL makes a commit durable before it returns,
// so a crash or power loss right after a response was sent loses nothing
// acknowledged.
func openSQLite(ctx context.Context, path string, o options) (*Store, error) {
	w, err := openSQLiteHandle(ctx, path, false)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	s := &Store{d: sqliteDialect, raw: w}
	s.w = newHandle(w, sqliteDialect, true, &s.commits)
	if err := migrateSQLite(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("migrate store %s: %w", path, err)
	}
	r, err := openSQLiteHandle(ctx, path, true)
	if err != nil {
		w.Close()
		return nil, err
	}
	// Readers run as many at once as judgments look up the LLM cache. With
	// database/sql's default of two idle connections every burst opened new
	// SQLite connections (pragmas, schema load, statements prepared again)
	// and closed them after one query; keeping them idle costs a little
	// memory each and makes a lookup one prepared-statement step.
	r.SetMaxIdleConns(sqliteIdleReaders)
	r.SetConnMaxIdleTime(5 * time.Minute)
	s.db = newHandle(r, sqliteDialect, true, nil)
	s.gc = startGroupCommit(s.w, o.commitRows, o.commitWindow)
	return s, nil
}

// sqliteIdleReaders is how many read connections stay open between bursts.
const sqliteIdleReaders = 32

func openSQLiteHandle(ctx context.Context, path string, readOnly bool) (*sql.DB, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	if readOnly {
		q.Add("_pragma", "query_only(1)")
		// Each of up to sqliteIdleReaders connections keeps its own page
		// cache (2 MiB by default), outside the Go heap: together they grew
		// the process as the ledger grew. Readers make point lookups by key,
		// so a small cache costs little; the OS page cache holds the rest.
		q.Add("_pragma", "cache_size(-256)")
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

// migrateSQLite applies the migrations not yet run, each in its own
// transaction with the user_version that records it. The writer's
// immediate transactions serialize processes opening the same file.
func migrateSQLite(ctx context.Context, w *sql.DB) error {
	var version int
	if err := w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version > len(migrations) {
		return fmt.Errorf("database schema version %d is newer than this binary knows (%d)", version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		tx, err := w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, sqliteDialect.migration(migrations[i])); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}
