package main

import (
	"database/sql"
	"log/slog"
	"testing"

	"github.com/personajudge/personajudge/clients"
	"github.com/personajudge/personajudge/internal/pgtest"
)

// --db takes a postgres:// DSN: the service's store is created and
// migrated in that database.
func TestDBFlagTakesAPostgresDSN(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	w, err := newService(t.Context(), wiring{
		models: clients.FileConfig{Models: []clients.ModelConfig{{Name: "m", BaseURL: "http://127.0.0.1:1/v1"}}},
		db:     dsn, maxReasks: 1, log: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("no migrations recorded in the PostgreSQL schema: %d, %v", n, err)
	}
}
