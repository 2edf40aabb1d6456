package store

import (
	"sync"
	"testing"
	"time"

	"github.com/personajudge/personajudge/internal/pgtest"
)

// Replicas starting together on an empty schema migrate it once, under the
// advisory lock, and every one of them opens.
func TestPostgresMigratesOnceUnderALock(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := Open(t.Context(), dsn)
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
	}
	s := openStore(t, dsn)
	var n, max int
	if err := s.DB().QueryRow(`SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	if n != len(migrations) || max != len(migrations) {
		t.Fatalf("schema_migrations holds %d rows up to %d, want %d", n, max, len(migrations))
	}
}

// A calibrator activated through one store reaches the subscribers of
// another store on the same database, on both backends.
func TestCalibratorChangeFeed(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		a := openStore(t, dsn)
		b := openStore(t, dsn, WithCalibratorPoll(20*time.Millisecond))
		changed := make(chan string, 8)
		b.OnCalibratorChange(func(p string) { changed <- p })
		ctx := t.Context()
		if err := a.SaveCalibrator(ctx, &Calibrator{Profile: "p", Method: "isotonic", Model: fitted()}, true); err != nil {
			t.Fatal(err)
		}
		want := func(what string) {
			t.Helper()
			select {
			case p := <-changed:
				if p != "p" {
					t.Fatalf("%s: change of %q, want p", what, p)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%s: no change reported", what)
			}
		}
		want("activation of v1")
		if err := a.SaveCalibrator(ctx, &Calibrator{Profile: "p", Method: "isotonic", Model: fitted()}, false); err != nil {
			t.Fatal(err)
		}
		if err := a.ActivateCalibrator(ctx, "p", "v2"); err != nil {
			t.Fatal(err)
		}
		want("activation of v2")
	})
}
