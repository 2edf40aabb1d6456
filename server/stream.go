package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// MaxStreamInFlight bounds the items one stream judges at once. When
// results are not read, workers block on Send, the bound fills, and the
// server stops reading the stream: HTTP/2 flow control then pushes back on
// the sender, so a slow reader cannot grow the server's memory.
const MaxStreamInFlight = 256

// streamIDMemory is how many item ids a stream remembers for duplicate
// detection: every item in flight and the most recent ones before them.
// Remembering all ids would grow with the stream (a 10-million-item run
// would hold ~1 GB); a duplicate older than this window is judged again
// and answered twice, under the same item_id.
const streamIDMemory = 100_000

// recentIDs is a set of the last n ids added.
type recentIDs struct {
	set  map[string]struct{}
	ring []string
	next int
}

func newRecentIDs(n int) *recentIDs {
	return &recentIDs{set: map[string]struct{}{}, ring: make([]string, 0, n)}
}

// add records id and reports whether it was new.
func (r *recentIDs) add(id string) bool {
	if _, ok := r.set[id]; ok {
		return false
	}
	if len(r.ring) < cap(r.ring) {
		r.ring = append(r.ring, id)
	} else {
		delete(r.set, r.ring[r.next])
		r.ring[r.next] = id
		r.next = (r.next + 1) % len(r.ring)
	}
	r.set[id] = struct{}{}
	return true
}

// ScoreStream judges items as they arrive and sends each result when it is
// ready (not in request order). A bad item is an INVALID result and a
// failed one a JUDGE_ERROR result, naming the problem; the stream goes on.
func (s *Service) ScoreStream(ctx context.Context, stream *connect.BidiStream[pb.ScoreStreamRequest, pb.ScoreStreamResponse]) error {
	var (
		sendMu  sync.Mutex
		sendErr error
		wg      sync.WaitGroup
		slots   = make(chan struct{}, MaxStreamInFlight)
		idsMu   sync.Mutex
		seen    = newRecentIDs(streamIDMemory)
	)
	send := func(r *pb.ScoreResponse) {
		sendMu.Lock()
		defer sendMu.Unlock()
		if sendErr == nil {
			sendErr = stream.Send(&pb.ScoreStreamResponse{Result: r})
		}
	}
	defer wg.Wait()
	for {
		msg, err := stream.Receive()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		item := msg.GetItem()
		if item == nil {
			send(itemError("", connect.CodeInvalidArgument, badField("item", "must be set")))
			continue
		}
		id := item.ItemId
		if id == "" {
			send(itemError("", connect.CodeInvalidArgument, badField("item.item_id", "must be set in a stream, so results can be matched")))
			continue
		}
		idsMu.Lock()
		dup := !seen.add(id)
		idsMu.Unlock()
		if dup {
			send(itemError(id, connect.CodeInvalidArgument, badField("item.item_id", "%q was already sent on this stream", clip(id, 64))))
			continue
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		// The global bound applies to streams too; a stream waits for room
		// (and so stops reading) instead of being refused.
		release, err := s.admission.admit(ctx)
		if err != nil {
			<-slots
			return err
		}
		wg.Go(func() {
			defer func() { <-slots }()
			defer release()
			_, resp, err := s.judgeOne(ctx, item)
			if err != nil {
				if ctx.Err() != nil {
					return // the stream is gone; nothing to send to
				}
				resp = itemError(id, connect.CodeOf(err), err)
			}
			send(resp)
		})
	}
}

// itemError is the result for an item that could not be judged. The code
// and, for bad input, the field lead the reason, as they would an RPC error.
// Bad input (InvalidArgument) is INVALID, so a caller's mistake is never
// counted as a judge failure; anything else is JUDGE_ERROR.
func itemError(itemID string, code connect.Code, err error) *pb.ScoreResponse {
	msg := err.Error()
	var ce *connect.Error
	if errors.As(err, &ce) {
		msg = ce.Message()
	}
	status := pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR
	if code == connect.CodeInvalidArgument {
		status = pb.JudgmentStatus_JUDGMENT_STATUS_INVALID
	}
	return &pb.ScoreResponse{
		ItemId:    itemID,
		Status:    status,
		Reason:    fmt.Sprintf("%s: %s", code, msg),
		CreatedAt: timestamppb.Now(),
	}
}
