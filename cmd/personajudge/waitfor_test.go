package main

import (
	"testing"
	"time"
)

// waitFor polls cond every few milliseconds until it holds, and fails the
// test if it does not within a generous deadline. Only for conditions no
// channel can signal, such as a child process writing a file.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}
