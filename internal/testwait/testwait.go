// Package testwait waits in tests for a condition no channel can signal: a
// goroutine parked inside a lock, a child process writing a file. Where a
// signal exists, tests wait on it instead. Only tests import this package.
package testwait

import (
	"testing"
	"time"
)

// pollEvery is how often the condition is checked: often enough that a
// test waits a few milliseconds past the event, seldom enough that a
// condition reading a file stays cheap.
const pollEvery = 5 * time.Millisecond

// For polls cond until it holds, and fails the test if it does not within
// the deadline, naming what it waited for.
func For(t testing.TB, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		<-tick.C
	}
}
