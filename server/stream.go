package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// MaxStreamInFlight is the most items one stream may have accepted and not
// yet answered, whatever the server's bound (see admission.streamShare,
// which usually sets a lower limit). An item counts from the moment it is
// read until its result has been sent; its place in the global bound is
// held only while it is being judged. When results are not read, the
// stream's limit fills with finished results and the server stops reading
// the stream: HTTP/2 flow control then pushes back on the sender. The
// stream is paused; its finished items hold none of the server's bound.
const MaxStreamInFlight = 256

// streamIDMemory is how many item ids a stream remembers for duplicate
// detection: every item in flight (at most MaxStreamInFlight) and the most
// recent ones before them. Remembering all ids would grow with the stream
// (a 10-million-item run would hold ~1 GB), and so did a window of 100,000:
// the set kept growing for the first 100,000 items of every stream (about
// 15 MB of server memory). A duplicate older than this window is judged
// again and answered twice, under the same item_id.
const streamIDMemory = 8192

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
//
// One stream has at most its share of the global bound (a quarter, see
// admission.streamShare) accepted and unanswered at once. An item holds its
// place in the global bound only while it is judged: a finished result
// waits for the reader without it, so a stream that does not read is
// paused, never the server.
//
// On shutdown (Drain) the stream stops reading, sends the results of the
// items it accepted as they finish, and ends with Unavailable, naming the
// items it had to give up at the drain deadline.
func (s *Service) ScoreStream(ctx context.Context, stream *connect.BidiStream[pb.ScoreStreamRequest, pb.ScoreStreamResponse]) error {
	draining := s.drain.context()
	if draining.Err() != nil {
		return shuttingDown(nil)
	}
	// ctx ends the judgments; acceptCtx ends waiting for room to judge.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	acceptCtx, stopAccepting := context.WithCancel(ctx)
	defer stopAccepting()
	defer context.AfterFunc(draining, stopAccepting)()
	limit := s.admission.streamShare()
	var (
		// A place in inflight is taken before an item is read and given
		// back once its result is sent (or dropped).
		inflight = make(chan struct{}, limit)
		// Every result holds a place in inflight, so results never waits.
		results = make(chan *pb.ScoreResponse, limit)
		seen    = newRecentIDs(streamIDMemory)
		wg      sync.WaitGroup
		sendErr error
		sent    = make(chan struct{})
		// stop ends the reader: the handler takes no more items.
		stop        = make(chan struct{})
		stopReading = sync.OnceFunc(func() { close(stop) })
		incoming    = make(chan received)
		unjudgedMu  sync.Mutex
		unjudged    []string // accepted, then given up at shutdown
	)
	defer stopReading()
	giveUp := func(id string) {
		unjudgedMu.Lock()
		unjudged = append(unjudged, id)
		unjudgedMu.Unlock()
	}
	// The only sender: a reader that does not read blocks it, and nothing
	// else.
	go func() {
		defer close(sent)
		for r := range results {
			if sendErr == nil {
				if sendErr = stream.Send(&pb.ScoreStreamResponse{Result: r}); sendErr != nil {
					cancel() // the client is gone: stop judging for it
				}
			}
			<-inflight
		}
	}()
	// The reader takes a place before each read, so a stream at its limit
	// is not read: HTTP/2 flow control pushes back on the client. It runs
	// apart from the handler so that shutdown need not wait for the
	// client's next message.
	go func() {
		for {
			select {
			case inflight <- struct{}{}:
			case <-stop:
				return
			}
			msg, err := stream.Receive()
			select {
			case incoming <- received{msg, err}:
				if err != nil {
					return
				}
			case <-stop:
				return
			}
		}
	}()
	finish := func(err error) error {
		if err != nil {
			cancel()
		}
		wg.Wait()
		close(results)
		<-sent
		if err == nil {
			err = sendErr // the client stopped taking results
		}
		return err
	}
	drain := func() error {
		stopReading()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		var expire <-chan time.Time
		if d := s.drain.when(); !d.IsZero() {
			t := time.NewTimer(time.Until(d))
			defer t.Stop()
			expire = t.C
		}
		select {
		case <-done:
		case <-expire:
			cancel() // give up what is still being judged
			<-done
		case <-ctx.Done(): // the client left
			<-done
		}
		close(results)
		// A client that is not reading keeps the sender waiting: such a
		// stream ends only when the server's grace runs out and it exits.
		<-sent
		return shuttingDown(unjudged)
	}
	for {
		select {
		case r := <-incoming:
			switch {
			case errors.Is(r.err, io.EOF):
				<-inflight
				return finish(nil)
			case r.err != nil:
				<-inflight
				return finish(r.err)
			case draining.Err() != nil:
				<-inflight // read after shutdown began: not accepted
				return drain()
			}
			item, bad := streamItem(r.msg, seen)
			if bad != nil {
				results <- bad
				continue
			}
			// The global bound applies to streams too; a stream waits for
			// room (and so stops reading) instead of being refused.
			release, err := s.admission.admit(acceptCtx)
			if err != nil {
				<-inflight
				if draining.Err() != nil && ctx.Err() == nil {
					giveUp(item.ItemId)
					return drain()
				}
				return finish(err)
			}
			wg.Go(func() {
				_, resp, err := s.judgeOne(ctx, item)
				release() // produced: the reader's pace no longer matters to the bound
				if err != nil {
					if ctx.Err() != nil {
						if draining.Err() != nil {
							giveUp(item.ItemId)
						}
						<-inflight // given up, or the stream is gone: nothing to send
						return
					}
					resp = itemError(item.ItemId, connect.CodeOf(err), err)
				}
				results <- resp
			})
		case <-draining.Done():
			return drain()
		case <-ctx.Done():
			return finish(ctx.Err())
		}
	}
}

// received is one message read from a stream, or the error that ended it.
type received struct {
	msg *pb.ScoreStreamRequest
	err error
}

// streamItem checks what a stream item needs beyond a Score request: an
// item, and an item_id not sent before on this stream. It returns the item,
// or the INVALID result to send instead.
func streamItem(msg *pb.ScoreStreamRequest, seen *recentIDs) (*pb.ScoreRequest, *pb.ScoreResponse) {
	item := msg.GetItem()
	if item == nil {
		return nil, itemError("", connect.CodeInvalidArgument, badField("item", "must be set"))
	}
	id := item.ItemId
	if id == "" {
		return nil, itemError("", connect.CodeInvalidArgument, badField("item.item_id", "must be set in a stream, so results can be matched"))
	}
	if !seen.add(id) {
		return nil, itemError(id, connect.CodeInvalidArgument, badField("item.item_id", "%q was already sent on this stream", clip(id, 64)))
	}
	return item, nil
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
	status, reason := pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR, pb.ReasonCode_REASON_CODE_OTHER
	switch {
	case code == connect.CodeInvalidArgument:
		status, reason = pb.JudgmentStatus_JUDGMENT_STATUS_INVALID, pb.ReasonCode_REASON_CODE_INVALID_INPUT
	case errorInfoReason(err) == reasonBackendUnreachable:
		reason = pb.ReasonCode_REASON_CODE_BACKEND_UNREACHABLE
	}
	return &pb.ScoreResponse{
		ItemId:     itemID,
		Status:     status,
		ReasonCode: reason,
		Reason:     fmt.Sprintf("%s: %s", code, msg),
		CreatedAt:  timestamppb.Now(),
	}
}
