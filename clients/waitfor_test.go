package clients

import (
	"testing"
	"time"
)

// waitFor polls cond every few milliseconds until it holds, and fails the
// test if it does not within a generous deadline. Only for conditions no
// channel can signal (a goroutine parked inside the limiter).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// queued is how many callers wait in l's queue.
func queued(l *limiter) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.waiters)
}
