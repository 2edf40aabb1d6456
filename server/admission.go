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

// admit waits for one item's capacity, for as long as ctx allows.
func (a *admission) admit(ctx context.Context) (func(), error) {
	if err := a.sem.Acquire(ctx, 1); err != nil {
		return nil, err
	}
	return func() { a.sem.Release(1) }, nil
}
