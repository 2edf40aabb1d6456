package sim

import (
	"testing"
	"time"
)

// waitFor polls cond every few milliseconds until it holds, and fails the
// test if it does not within a generous deadline. Only for conditions no
// channel can signal (the handler's in-flight count).
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
