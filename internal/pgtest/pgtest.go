// Package pgtest gives tests a PostgreSQL schema of their own on the
// server that PERSONAJUDGE_TEST_POSTGRES names, so that packages and tests
// using it run in parallel without seeing each other's rows.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// EnvVar names the DSN of the PostgreSQL server the tests use, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const EnvVar = "PERSONAJUDGE_TEST_POSTGRES"

// SkipMessage is what a test says when it skips for want of the server;
// .ci/run fails when it finds it in the test output.
const SkipMessage = EnvVar + " is not set: PostgreSQL tests skipped (see README, Tests against PostgreSQL)"

// DSN creates a fresh schema, dropped when the test ends, and returns a
// DSN whose search_path is that schema. It skips the test when the server
// is not configured.
func DSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvVar)
	if base == "" {
		t.Skip(SkipMessage)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvVar, err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var b [6]byte
	rand.Read(b[:])
	schema := "pjtest_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema on %s: %v", u.Redacted(), err)
	}
	t.Cleanup(func() {
		// t.Context() has ended by now.
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
