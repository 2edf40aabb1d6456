package clients

import (
	"context"
	"sync"

	"golang.org/x/time/rate"
)

// The AIMD cut reacts to sustained rate limiting, not to an isolated 429: a
// backend that answers a few random 429s (with Retry-After, which openai-go's
// retries honour) is not overloaded, and halving concurrency for each of them
// costs far more throughput than the retries do. A cut needs a share of at
// least cutShare 429s among the last outcomes, with at least minEvidence
// outcomes seen since the last cut.
const (
	outcomeWindow = 100  // outcomes remembered
	minEvidence   = 20   // outcomes needed, since the last cut, before a cut
	minLimited    = 5    // 429s needed among them
	cutShare      = 0.25 // share of 429s that means "sustained"
)

// limiter bounds the calls in flight to one model and their rate.
//
// The concurrency limit adapts (AIMD): when the share of 429s among recent
// outcomes passes cutShare, the limit is halved, so a backend that is
// shedding load gets fewer parallel calls at once; every `limit` successes
// raise it by one, back up to the configured maximum. The limit is cut at
// most once per window: after a cut the outcomes are forgotten, and an
// outcome of a call that started before the cut is not counted (it says
// nothing about the new limit). Waiters are served in arrival order and wait
// as long as their context allows: a queued item fails only when its
// caller's deadline does.
type limiter struct {
	mu      sync.Mutex
	max     int
	limit   int
	inUse   int
	gained  int    // successes since the limit last changed
	epoch   uint64 // bumped at every cut; calls remember the epoch they started in
	window  outcomes
	waiters []chan struct{}
	rpm     *rate.Limiter // nil: no per-minute limit
}

// outcomes is a ring of the latest call outcomes: true for a 429.
type outcomes struct {
	ring    [outcomeWindow]bool
	next    int
	seen    int // outcomes held, up to outcomeWindow
	limited int // 429s held
}

func (o *outcomes) add(limited bool) {
	if o.seen == outcomeWindow {
		if o.ring[o.next] {
			o.limited--
		}
	} else {
		o.seen++
	}
	o.ring[o.next] = limited
	if limited {
		o.limited++
	}
	o.next = (o.next + 1) % outcomeWindow
}

// sustained reports whether the held outcomes show sustained rate limiting.
func (o *outcomes) sustained() bool {
	return o.seen >= minEvidence && o.limited >= minLimited &&
		float64(o.limited) >= cutShare*float64(o.seen)
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

// started returns the window a call starts in, for rateLimited and
// succeeded.
func (l *limiter) started() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.epoch
}

// rateLimited records a 429 for a call started in window epoch, and halves
// the limit when 429s have become sustained.
func (l *limiter) rateLimited(epoch uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if epoch != l.epoch {
		return // already cut since this call started
	}
	l.window.add(true)
	if !l.window.sustained() {
		return
	}
	l.limit = max(1, l.limit/2)
	l.epoch++
	l.gained = 0
	l.window = outcomes{}
}

// succeeded records a successful call started in window epoch.
func (l *limiter) succeeded(epoch uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if epoch == l.epoch {
		l.window.add(false)
	}
	if l.limit >= l.max {
		return
	}
	l.gained++
	if l.gained >= l.limit {
		l.limit++
		l.gained = 0
		l.wakeLocked()
	}
}

// current is the current concurrency limit.
func (l *limiter) current() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit
}
