package clients

import (
	"context"
	"sync"

	"golang.org/x/time/rate"
)

// limiter bounds the calls in flight to one model and their rate.
//
// The concurrency limit adapts (AIMD): a 429 halves the current limit, so a
// backend that is shedding load gets fewer parallel calls at once; every
// `limit` successes in a row raise it by one, back up to the configured
// maximum. As in TCP, the limit is cut at most once per window: a 429 for a
// call that started before the last cut says nothing about the new limit,
// so a burst of 429s from one overloaded moment halves it once, not to 1. Waiters are served in arrival order and wait as long as their
// context allows: a queued item fails only when its caller's deadline does.
type limiter struct {
	mu      sync.Mutex
	max     int
	limit   int
	inUse   int
	streak  int
	epoch   uint64 // bumped at every cut; calls remember the epoch they started in
	waiters []chan struct{}
	rpm     *rate.Limiter // nil: no per-minute limit
}

func newLimiter(maxConcurrency, requestsPerMinute int) *limiter {
	l := &limiter{max: maxConcurrency, limit: maxConcurrency}
	if requestsPerMinute > 0 {
		// Burst of one second's worth keeps bursts short without starving
		// low limits.
		burst := max(1, requestsPerMinute/60)
		l.rpm = rate.NewLimiter(rate.Limit(float64(requestsPerMinute)/60), burst)
	}
	return l
}

// acquire waits for a concurrency slot.
func (l *limiter) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err // no work for a caller that has gone
	}
	l.mu.Lock()
	if l.inUse < l.limit && len(l.waiters) == 0 {
		l.inUse++
		l.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	l.waiters = append(l.waiters, ch)
	l.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		defer l.mu.Unlock()
		for i, w := range l.waiters {
			if w == ch {
				l.waiters = append(l.waiters[:i], l.waiters[i+1:]...)
				return ctx.Err()
			}
		}
		// The slot was handed over while the context ended: pass it on.
		l.inUse--
		l.wakeLocked()
		return ctx.Err()
	}
}

// wait blocks for the per-minute rate, after a slot is held.
func (l *limiter) wait(ctx context.Context) error {
	if l.rpm == nil {
		return nil
	}
	return l.rpm.Wait(ctx)
}

func (l *limiter) release() {
	l.mu.Lock()
	l.inUse--
	l.wakeLocked()
	l.mu.Unlock()
}

// wakeLocked hands free slots to waiters in order.
func (l *limiter) wakeLocked() {
	for l.inUse < l.limit && len(l.waiters) > 0 {
		ch := l.waiters[0]
		l.waiters = l.waiters[1:]
		l.inUse++
		close(ch)
	}
}

// started returns the window a call starts in, for rateLimited.
func (l *limiter) started() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.epoch
}

// rateLimited records a 429 for a call started in window epoch.
func (l *limiter) rateLimited(epoch uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.streak = 0
	if epoch != l.epoch {
		return // already cut since this call started
	}
	l.limit = max(1, l.limit/2)
	l.epoch++
}

// succeeded records a successful call.
func (l *limiter) succeeded() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limit >= l.max {
		return
	}
	l.streak++
	if l.streak >= l.limit {
		l.limit++
		l.streak = 0
		l.wakeLocked()
	}
}

// current is the current concurrency limit.
func (l *limiter) current() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit
}
