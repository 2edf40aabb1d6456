package store

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/personajudge/personajudge/clients"
	"github.com/personajudge/personajudge/internal/testwait"
)

// holdUntilFull makes a batch wait (up to an hour) until it holds rows rows,
// so a test decides exactly which rows share a commit.
func holdUntilFull(rows int) Option { return WithGroupCommit(rows, time.Hour) }

func TestGroupCommitSharesOneCommit(t *testing.T) {
	t.Parallel()
	const n = 40
	s := openStore(t, filepath.Join(t.TempDir(), "pj.db"), holdUntilFull(n))
	ctx := t.Context()
	before := s.Stats()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			req, resp := sample(fmt.Sprintf("j%d", i))
			errs[i] = s.SaveJudgment(ctx, "preference", req, resp)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("save %d: %v", i, err)
		}
		if _, _, err := s.GetJudgment(ctx, fmt.Sprintf("j%d", i)); err != nil {
			t.Fatalf("acknowledged judgment j%d not readable: %v", i, err)
		}
	}
	after := s.Stats()
	if c, d := after.Commits-before.Commits, after.DurableCommits-before.DurableCommits; c != 1 || d != 1 {
		t.Fatalf("%d judgments made %d commits (%d durable), want 1", n, c, d)
	}
}

// A row the database refuses fails its own caller only: the batch is
// retried row by row.
func TestGroupCommitFailsOnlyTheBadRow(t *testing.T) {
	t.Parallel()
	s := openStore(t, filepath.Join(t.TempDir(), "pj.db"), holdUntilFull(3))
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i, id := range []string{"dup", "dup", "other"} {
		wg.Go(func() {
			req, resp := sample(id)
			errs[i] = s.SaveJudgment(ctx, "preference", req, resp)
		})
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("the same id twice in one batch: errors %v and %v, want exactly one", errs[0], errs[1])
	}
	if errs[2] != nil {
		t.Fatalf("a good row failed with the bad one: %v", errs[2])
	}
	for _, id := range []string{"dup", "other"} {
		if _, _, err := s.GetJudgment(ctx, id); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
	}
}

// A cache put does not wait for a commit, is read back at once by this
// process, and a commit of cache rows only skips the fsync; the writer's
// connection is back at synchronous=FULL for the ledger.
func TestCachePutsAtCacheDurability(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "pj.db")
	s := openStore(t, path, holdUntilFull(2))
	ctx := t.Context()
	want := clients.CachedResponse{Content: "first"}
	if err := s.PutResponse(ctx, "k1", want); err != nil { // returns with the batch still open
		t.Fatal(err)
	}
	if got, ok, err := s.GetResponse(ctx, "k1"); !ok || err != nil || got != want {
		t.Fatalf("queued cache row not read back: %+v %v %v", got, ok, err)
	}
	if err := s.PutResponse(ctx, "k2", want); err != nil { // fills the batch: a cache-only commit
		t.Fatal(err)
	}
	testwait.For(t, "the cache-only batch to commit", 10*time.Second, func() bool { return s.Stats().Commits == 1 })
	if st := s.Stats(); st.DurableCommits != 0 {
		t.Fatalf("a cache-only commit was durable: %+v", st)
	}
	var sync int
	if err := s.DB().QueryRow("PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
		t.Fatalf("writer left at synchronous=%d (%v), want 2 (FULL)", sync, err)
	}
	s.Close()
	s2 := openStore(t, path)
	for _, k := range []string{"k1", "k2"} {
		if _, ok, err := s2.GetResponse(ctx, k); !ok || err != nil {
			t.Fatalf("cache row %s lost across a clean close: %v %v", k, ok, err)
		}
	}
}

// Close commits what is queued before closing.
func TestCloseCommitsQueuedRows(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "pj.db")
	s, err := Open(t.Context(), path, holdUntilFull(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutResponse(t.Context(), "k", clients.CachedResponse{Content: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := openStore(t, path)
	if _, ok, err := s2.GetResponse(t.Context(), "k"); !ok || err != nil {
		t.Fatalf("queued row lost on close: %v %v", ok, err)
	}
	if err := s.PutResponse(t.Context(), "late", clients.CachedResponse{}); err == nil {
		t.Fatal("a put after Close was accepted")
	}
}
