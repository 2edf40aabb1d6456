package clients

import (
	"context"
	"errors"
	"fmt"
	"github.com/personajudge/personajudge/internal/testwait"
	"testing"
	"time"

	"github.com/personajudge/personajudge/internal/llmfake"
)

func TestLimiterAIMD(t *testing.T) {
	t.Parallel()
	l := newLimiter(16, 0)
	old := l.started()
	l.rateLimited(old)
	if got := l.current(); got != 8 {
		t.Fatalf("after one 429: limit %d, want 8", got)
	}
	// More 429s for calls that started before the cut change nothing.
	l.rateLimited(old)
	l.rateLimited(old)
	if got := l.current(); got != 8 {
		t.Fatalf("429s from the same window cut again: limit %d, want 8", got)
	}
	for range 5 {
		l.rateLimited(l.started())
	}
	if got := l.current(); got != 1 {
		t.Fatalf("never below 1: limit %d", got)
	}
	// Recovery: `limit` successes in a row raise the limit by one.
	for range 1 + 2 + 3 {
		l.succeeded()
	}
	if got := l.current(); got != 4 {
		t.Fatalf("after 6 successes from 1: limit %d, want 4", got)
	}
	for range 1000 {
		l.succeeded()
	}
	if got := l.current(); got != 16 {
		t.Fatalf("recovers to the configured maximum: limit %d, want 16", got)
	}
}

func TestLimiterBoundsAndOrder(t *testing.T) {
	t.Parallel()
	l := newLimiter(2, 0)
	ctx := t.Context()
	if err := l.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	got := make(chan int, 3)
	for i := range 3 {
		ready := make(chan struct{})
		go func() {
			close(ready)
			if err := l.acquire(ctx); err == nil {
				got <- i
			}
		}()
		<-ready
		// Wait until the goroutine is queued before starting the next, so
		// arrival order is known.
		testwait.For(t, fmt.Sprintf("waiter %d to queue", i), 10*time.Second, func() bool { return queued(l) == i+1 })
	}
	select {
	case i := <-got:
		t.Fatalf("waiter %d got a slot while 2 of 2 were held", i)
	default:
	}
	l.release()
	if i := <-got; i != 0 {
		t.Fatalf("first freed slot went to waiter %d, want 0 (FIFO)", i)
	}
	l.release()
	if i := <-got; i != 1 {
		t.Fatalf("second freed slot went to waiter %d, want 1", i)
	}
}

// A waiter whose context ends leaves the queue and takes no slot.
func TestLimiterWaitEndsWithContext(t *testing.T) {
	t.Parallel()
	l := newLimiter(1, 0)
	if err := l.acquire(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- l.acquire(ctx) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want Canceled", err)
	}
	l.release()
	if err := l.acquire(t.Context()); err != nil {
		t.Fatal(err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inUse != 1 || len(l.waiters) != 0 {
		t.Fatalf("inUse=%d waiters=%d, want 1 and 0", l.inUse, len(l.waiters))
	}
}

func TestLimiterRequestsPerMinute(t *testing.T) {
	t.Parallel()
	l := newLimiter(4, 60) // one per second, burst 1
	ctx := t.Context()
	if err := l.wait(ctx); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	// The next token is a second away: rate.Limiter refuses at once when the
	// deadline cannot be met.
	if err := l.wait(short); err == nil {
		t.Fatal("second call within the same second was allowed at 60 rpm")
	}
}

// Through the real client: 429s seen during openai-go's own retries lower
// the model's concurrency, and successes bring it back.
func TestModelAdaptsConcurrencyTo429(t *testing.T) {
	t.Parallel()
	fake := llmfake.New(func(_ *llmfake.Request, n int64) llmfake.Reply {
		if n <= 3 {
			return llmfake.Reply{Status: 429, Header: map[string]string{"Retry-After-Ms": "1"}}
		}
		return llmfake.Reply{Content: `{"ok":true}`}
	})
	defer fake.Close()
	retries := 5
	reg, err := NewRegistry(FileConfig{Models: []ModelConfig{{Name: "m", BaseURL: fake.BaseURL(), MaxConcurrency: 8, MaxRetries: &retries}}})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := reg.Get("m")
	ctx := t.Context()
	res, err := m.Complete(ctx, Request{Messages: []Message{{Role: "user", Content: "hi"}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Attempts != 4 {
		t.Fatalf("attempts = %d, want 4 (three 429s, then success)", res.Attempts)
	}
	// The three 429s are retries of one call, one window: one cut, 8 -> 4.
	if got := m.ConcurrencyLimit(); got != 4 {
		t.Fatalf("limit after three 429s of one call = %d, want 4", got)
	}
	for range 40 {
		if _, err := m.Complete(ctx, Request{Messages: []Message{{Role: "user", Content: "hi"}}}); err != nil {
			t.Fatal(err)
		}
	}
	if got := m.ConcurrencyLimit(); got != 8 {
		t.Fatalf("limit after recovery = %d, want 8", got)
	}
}
