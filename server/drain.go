package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
)

// drainState is the service's shutdown signal for open streams. Its zero
// value is ready: nothing drains until start.
type drainState struct {
	mu       sync.Mutex
	ctx      context.Context
	cancel   context.CancelFunc
	deadline time.Time
}

func (d *drainState) init() {
	if d.ctx == nil {
		d.ctx, d.cancel = context.WithCancel(context.Background())
	}
}

// context is done once shutdown has begun.
func (d *drainState) context() context.Context {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.init()
	return d.ctx
}

// when is the time by which open streams must have ended; zero means no
// limit.
func (d *drainState) when() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.deadline
}

func (d *drainState) start(deadline time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.init()
	if d.ctx.Err() != nil {
		return // already draining; the first deadline stands
	}
	d.deadline = deadline
	d.cancel()
}

// Drain begins a graceful shutdown of the open streams: each stops reading
// items, keeps judging the items it has accepted and sends their results
// as they finish, and ends with Unavailable. At deadline (zero: none) the
// judgments still running are given up, and the Unavailable names their
// items so the client can send them again. Streams opened afterwards are
// refused with Unavailable. Unary calls are left to the HTTP server's own
// graceful shutdown. Serve calls Drain through ServeOptions.Drain.
func (s *Service) Drain(deadline time.Time) { s.drain.start(deadline) }

// shuttingDown is how a stream ends once the server is shutting down;
// unjudged lists the accepted items given up at the deadline.
func shuttingDown(unjudged []string) *connect.Error {
	msg := "the server is shutting down: this stream takes no more items; send every item without a result again, on a new connection"
	if n := len(unjudged); n > 0 {
		slices.Sort(unjudged)
		shown := make([]string, 0, min(n, 20))
		for _, id := range unjudged[:min(n, 20)] {
			shown = append(shown, fmt.Sprintf("%q", clip(id, 64)))
		}
		more := ""
		if n > len(shown) {
			more = fmt.Sprintf(" and %d more", n-len(shown))
		}
		msg += fmt.Sprintf(" (%d accepted items could not be judged in time: %s%s)", n, strings.Join(shown, ", "), more)
	}
	return connect.NewError(connect.CodeUnavailable, errors.New(msg))
}
