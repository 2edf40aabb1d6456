package judges

import (
	"context"
	"io"
	"log/slog"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

func quietEngine() *Engine {
	return NewEngine(nil, WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
}

// A call that panics reaches its caller as an error: the server neither
// crashes nor leaves anyone waiting on the key.
func TestSharedCallSurvivesAPanic(t *testing.T) {
	t.Parallel()
	e := quietEngine()
	v, err, shared := e.sharedCall(t.Context(), "k", func() (*pb.Vote, error) { panic("parser bug") })
	if v != nil || err == nil || shared {
		t.Fatalf("panicking call = %v, %v, shared %v; want an error of this caller's own call", v, err, shared)
	}
	// The key is free again: the next call runs.
	v, err, shared = e.sharedCall(t.Context(), "k", func() (*pb.Vote, error) { return &pb.Vote{Model: "m"}, nil })
	if err != nil || v.GetModel() != "m" || shared {
		t.Fatalf("call after the panic = %v, %v, shared %v", v, err, shared)
	}
}

// A caller waiting on an identical call in flight leaves as soon as its own
// context ends, whatever the call in flight does.
func TestSharedCallWaiterLeavesOnItsContext(t *testing.T) {
	t.Parallel()
	e := quietEngine()
	started, release := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(release) })
	go e.sharedCall(context.WithoutCancel(t.Context()), "k", func() (*pb.Vote, error) {
		close(started)
		<-release
		return &pb.Vote{}, nil
	})
	<-started
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	v, err, _ := e.sharedCall(ctx, "k", func() (*pb.Vote, error) {
		t.Error("a second identical call ran while the first was in flight")
		return nil, nil
	})
	if v != nil || err != context.Canceled {
		t.Fatalf("waiter = %v, %v; want context.Canceled", v, err)
	}
}
