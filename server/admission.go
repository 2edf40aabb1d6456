package server

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/semaphore"
)

// DefaultMaxQueued bounds the items being judged or waiting for an LLM slot
// across all callers. Beyond it, unary requests are refused at once
// (ResourceExhausted with a retry hint) rather than queued without bound;
// streams wait, which their flow control turns into backpressure.
const DefaultMaxQueued = 4096

// admission is the global bound on queued work, in items.
type admission struct {
	capacity int64
	sem      *semaphore.Weighted
}

func newAdmission(capacity int) *admission {
	return &admission{capacity: int64(capacity), sem: semaphore.NewWeighted(int64(capacity))}
}

// tryAdmit takes n items' worth of capacity or refuses at once.
func (a *admission) tryAdmit(n int) (func(), error) {
	if int64(n) > a.capacity {
		return nil, overloaded(fmt.Sprintf("%d items exceed the server's bound of %d queued items", n, a.capacity), 10*time.Second)
	}
	if !a.sem.TryAcquire(int64(n)) {
		return nil, overloaded("the server is at its bound of queued judgments", time.Second)
	}
	return func() { a.sem.Release(int64(n)) }, nil
}

// callWindow is how many items of an n-item unary call (PersonaScore) are
// judged at once: at most workers, and at most half the bound, so a call of
// any size flows through its window as items finish while the other half
// stays open to other callers. The window is taken at once or refused
// (tryAdmit), so a genuinely busy server still answers ResourceExhausted.
func (a *admission) callWindow(n, workers int) int {
	return int(max(1, min(int64(n), int64(workers), a.capacity/2)))
}

// admit waits for one item's capacity, for as long as ctx allows.
func (a *admission) admit(ctx context.Context) (func(), error) {
	if err := a.sem.Acquire(ctx, 1); err != nil {
		return nil, err
	}
	return func() { a.sem.Release(1) }, nil
}

// streamShareDivisor sets a stream's fair share of the bound: a quarter.
// One evaluation run still keeps the models busy (the default bound is four
// times their capacity, and an item makes one call per order), while the
// rest of the bound stays open to other callers whatever the stream does.
const streamShareDivisor = 4

// streamShare is how many items one stream may have accepted and not yet
// answered: its share of the bound, at least one and at most
// MaxStreamInFlight. Since an item holds its place in the bound only while
// it is judged, no stream ever holds more of the bound than this.
func (a *admission) streamShare() int {
	return int(max(1, min(MaxStreamInFlight, a.capacity/streamShareDivisor)))
}
