package store

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/personajudge/personajudge/internal/pgtest"
)

// forEachBackend runs f against a fresh database of each backend: a SQLite
// file, and a PostgreSQL schema when PERSONAJUDGE_TEST_POSTGRES is set
// (skipped with a message when not). dsn reopens the same database.
func forEachBackend(t *testing.T, f func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		f(t, filepath.Join(t.TempDir(), "pj.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		f(t, pgtest.DSN(t))
	})
}

// openStore opens a store on dsn, closed when the test ends.
func openStore(t *testing.T, dsn string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(t.Context(), dsn, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestPostgresConfiguredInCI fails a CI run (CI=true) in which the
// PostgreSQL tests would be skipped, so that they cannot silently stop
// running.
func TestPostgresConfiguredInCI(t *testing.T) {
	if os.Getenv("CI") == "true" && os.Getenv(pgtest.EnvVar) == "" {
		t.Fatalf("CI=true but %s is unset: the PostgreSQL tests would be skipped", pgtest.EnvVar)
	}
}
