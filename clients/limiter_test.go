package clients

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/personajudge/personajudge/internal/llmfake"
	"github.com/personajudge/personajudge/internal/testwait"
)

// outcome is one recorded call result for the AIMD tables: a 429 or a
// success, for a call started in the current window.
type outcome bool

const (
	ok      outcome = false
	limited outcome = true
)

func repeat(o outcome, n int) []outcome {
	out := make([]outcome, n)
	for i := range out {
		out[i] = o
	}
	return out
}

// every returns n outcomes with a 429 every k-th.
func every(k, n int) []outcome {
	out := make([]outcome, n)
	for i := range out {
		out[i] = (i+1)%k == 0
	}
	return out
}

func TestLimiterAIMD(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		max   int
		steps [][]outcome
		want  []int // limit after each step
	}{
		{"isolated 429: no cut", 16, [][]outcome{{limited}, repeat(ok, 30), {limited}}, []int{16, 16, 16}},
		{"random 5% of 429s: no cut", 16, [][]outcome{every(20, 2000)}, []int{16}},
		{"random 10% of 429s: no cut", 64, [][]outcome{every(10, 2000)}, []int{64}},
		{"sustained 429s: one cut", 16, [][]outcome{repeat(ok, 15), repeat(limited, 5)}, []int{16, 8}},
		{"half of calls refused: cut", 64, [][]outcome{every(2, 20)}, []int{32}},
		{"a cut needs fresh evidence", 16, [][]outcome{repeat(limited, 20), repeat(limited, 4), repeat(limited, 16)}, []int{8, 8, 4}},
		{"never below 1", 4, [][]outcome{repeat(limited, 200)}, []int{1}},
		// Recovery: `limit` successes raise the limit by one, 429s that do
		// not amount to rate limiting included.
		{"recovery is additive", 16, [][]outcome{repeat(limited, 20), repeat(ok, 8), repeat(ok, 9), every(20, 1000)}, []int{8, 9, 10, 16}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			l := newLimiter(c.max, 0)
			for i, step := range c.steps {
				for _, o := range step {
					if o == limited {
						l.rateLimited(l.started())
					} else {
						l.succeeded(l.started())
					}
				}
				if got := l.current(); got != c.want[i] {
					t.Fatalf("after step %d: limit %d, want %d", i, got, c.want[i])
				}
			}
		})
	}
}

// 429s and successes of calls that started before a cut are not evidence
// about the new limit.
func TestLimiterIgnoresCallsFromBeforeTheCut(t *testing.T) {
	t.Parallel()
	l := newLimiter(16, 0)
	old := l.started()
	for range 20 {
		l.rateLimited(old)
	}
	if got := l.current(); got != 8 {
		t.Fatalf("after sustained 429s: limit %d, want 8", got)
	}
	for range 100 {
		l.rateLimited(old)
	}
	if got := l.current(); got != 8 {
		t.Fatalf("429s of calls from before the cut cut again: limit %d, want 8", got)
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

// Through the real client: 429s seen during openai-go's own retries count
// as outcomes; one call's three 429s are not sustained rate limiting, a
// backend refusing most attempts is, and successes bring the limit back.
func TestModelAdaptsConcurrencyTo429(t *testing.T) {
	t.Parallel()
	var refuse atomic.Bool
	fake := llmfake.New(func(_ *llmfake.Request, n int64) llmfake.Reply {
		if n <= 3 || refuse.Load() {
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
	hi := Request{Messages: []Message{{Role: "user", Content: "hi"}}}
	res, err := m.Complete(ctx, hi)
	if err != nil {
		t.Fatal(err)
	}
	if res.Attempts != 4 {
		t.Fatalf("attempts = %d, want 4 (three 429s, then success)", res.Attempts)
	}
	if got := m.ConcurrencyLimit(); got != 8 {
		t.Fatalf("limit after one call's three 429s = %d, want 8 (no cut)", got)
	}
	refuse.Store(true)
	for range 4 {
		if _, err := m.Complete(ctx, hi); err == nil {
			t.Fatal("a call succeeded while the backend refused every attempt")
		}
	}
	if got := m.ConcurrencyLimit(); got != 4 {
		t.Fatalf("limit after sustained 429s = %d, want 4", got)
	}
	refuse.Store(false)
	for range 40 {
		if _, err := m.Complete(ctx, hi); err != nil {
			t.Fatal(err)
		}
	}
	if got := m.ConcurrencyLimit(); got != 8 {
		t.Fatalf("limit after recovery = %d, want 8", got)
	}
}
