package eval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/judges"
	"google.golang.org/protobuf/proto"
)

// streamItems sends the items still to judge over one ScoreStream per
// service address, at most cfg.InFlight unanswered in all, and writes each
// result as it arrives. When a stream breaks (its replica died or is
// shutting down), the items it had not answered go to the other streams;
// an item is written once, from the first stream that answers it. The run
// fails only when every stream has broken.
func streamItems(parent context.Context, cfg *Config, done map[string]bool, w *resultWriter, s *Summary, prog *progress) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	d := &dispatch{
		cfg: cfg, w: w, s: s, prog: prog, cancel: cancel,
		slots:   make(chan struct{}, cfg.InFlight),
		work:    make(chan Item, cfg.InFlight), // every queued item holds a slot: never full
		allDone: make(chan struct{}),
		alive:   len(cfg.Addrs),
	}
	var wg sync.WaitGroup
	wg.Go(func() { d.read(ctx, done) })
	syncDone := make(chan struct{})
	wg.Go(func() {
		t := time.NewTicker(cfg.SyncEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				w.sync()
			case <-syncDone:
				return
			}
		}
	})
	var streams sync.WaitGroup
	opts := append([]connect.ClientOption{connect.WithGRPC()}, cfg.ClientOptions...)
	for _, addr := range cfg.Addrs {
		client := personajudgev1connect.NewJudgeServiceClient(cfg.HTTPClient, addr, opts...)
		streams.Go(func() { d.stream(ctx, addr, client) })
	}
	streams.Wait()
	cancel() // every stream has ended: stop the reader if it still waits
	close(syncDone)
	wg.Wait()

	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case parent.Err() != nil:
		return errors.New("interrupted")
	case d.readErr != nil && !errors.Is(d.readErr, context.Canceled):
		return fmt.Errorf("sending: %w", d.readErr)
	case d.fatal != nil:
		return d.fatal
	case d.alive == 0 && len(cfg.Addrs) == 1:
		return fmt.Errorf("stream: %w", d.lastErr)
	case d.alive == 0:
		return fmt.Errorf("all %d services failed, the last: stream: %w", len(cfg.Addrs), d.lastErr)
	}
	if d.outstanding > 0 {
		return fmt.Errorf("the stream ended with %d items unanswered", d.outstanding)
	}
	return nil
}

// dispatch hands items to the streams and collects their results.
type dispatch struct {
	cfg    *Config
	w      *resultWriter
	s      *Summary
	prog   *progress
	cancel context.CancelFunc

	slots   chan struct{} // one per item read and not yet answered
	work    chan Item     // items waiting for a stream: new ones and those of broken streams
	allDone chan struct{} // closed when the dataset is read and every item answered

	mu          sync.Mutex
	readDone    bool
	readErr     error
	outstanding int // items holding a slot
	closed      bool
	alive       int   // streams not yet broken
	lastErr     error // why the last stream broke
	fatal       error // ends the run: the results file failed, or too many judge errors
	inARow      int   // JUDGE_ERROR results since the last other result
}

// read queues the dataset's items not yet done, each holding a slot.
func (d *dispatch) read(ctx context.Context, done map[string]bool) {
	err := ReadDataset(d.cfg.Dataset, func(it Item) error {
		if done[it.Request.ItemId] {
			return nil
		}
		select {
		case d.slots <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		overrideJudge(it.Request, d.cfg.OrderPolicy, d.cfg.Cache)
		d.mu.Lock()
		d.outstanding++
		d.mu.Unlock()
		d.work <- it
		return nil
	})
	d.mu.Lock()
	defer d.mu.Unlock()
	d.readDone, d.readErr = true, err
	if err != nil {
		d.cancel() // the run cannot complete; end the streams
		return
	}
	d.finishIfDoneLocked()
}

func (d *dispatch) finishIfDoneLocked() {
	if d.readDone && d.outstanding == 0 && !d.closed {
		d.closed = true
		close(d.allDone)
	}
}

// stream runs one ScoreStream to addr until every item is answered or the
// stream breaks; a broken stream's unanswered items go back to the queue.
func (d *dispatch) stream(ctx context.Context, addr string, client personajudgev1connect.JudgeServiceClient) {
	sctx, scancel := context.WithCancel(ctx)
	defer scancel()
	mine := map[string]Item{} // sent on this stream, not answered; guarded by d.mu
	stream, err := client.ScoreStream(sctx)
	if err == nil {
		var senders sync.WaitGroup
		senders.Go(func() { d.send(sctx, stream, mine) })
		err = d.receive(stream, mine)
		scancel()
		senders.Wait()
		stream.CloseResponse()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err == nil && len(mine) == 0 {
		return
	}
	if err == nil {
		err = fmt.Errorf("%s ended the stream with %d items unanswered", addr, len(mine))
	}
	d.alive--
	d.lastErr = err
	if d.fatal != nil || ctx.Err() != nil {
		return
	}
	if d.alive > 0 {
		fmt.Fprintf(d.cfg.Log, "eval: the stream to %s broke (%v); its %d unanswered items go to the other services\n", addr, err, len(mine))
	}
	for _, it := range mine {
		d.work <- it // keeps its slot
	}
	if d.alive == 0 {
		d.cancel()
	}
}

// send sends queued items on stream until every item is answered.
func (d *dispatch) send(ctx context.Context, stream *connect.BidiStreamForClientSimple[pb.ScoreStreamRequest, pb.ScoreStreamResponse], mine map[string]Item) {
	for {
		select {
		case it := <-d.work:
			d.mu.Lock()
			mine[it.Request.ItemId] = it
			d.mu.Unlock()
			if err := stream.Send(&pb.ScoreStreamRequest{Item: it.Request}); err != nil {
				return // the receiver sees why; the item is requeued with the rest
			}
		case <-d.allDone:
			_ = stream.CloseRequest()
			return
		case <-ctx.Done():
			return
		}
	}
}

// receive writes each result the stream returns, freeing its slot.
// Results may come in any order; mine matches them to their labels.
func (d *dispatch) receive(stream *connect.BidiStreamForClientSimple[pb.ScoreStreamRequest, pb.ScoreStreamResponse], mine map[string]Item) error {
	for {
		msg, err := stream.Receive()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := d.result(msg.GetResult(), mine); err != nil {
			d.mu.Lock()
			if d.fatal == nil {
				d.fatal = err
			}
			d.mu.Unlock()
			d.cancel()
			return err
		}
	}
}

// result writes one result. Results are written one at a time (d.mu), so
// the file, the summary and the error streak see one order.
func (d *dispatch) result(r *pb.ScoreResponse, mine map[string]Item) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	it, ok := mine[r.GetItemId()]
	if !ok {
		d.s.Unmatched++ // not ours: nothing to resume from it
		return nil
	}
	delete(mine, r.GetItemId())
	d.outstanding--
	<-d.slots
	defer d.finishIfDoneLocked()
	var correct *bool
	if it.Label != nil {
		c := judges.VerdictCorrect(r.Verdict, it.Label)
		correct = &c
	}
	line, err := marshalResult(r, it.Label, correct)
	if err != nil {
		return err
	}
	if err := d.w.write(line); err != nil {
		return fmt.Errorf("writing results: %w", err)
	}
	d.s.add(r, it.Label, true)
	d.prog.add()
	if r.Status != pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR {
		d.inARow = 0
		return nil
	}
	if d.inARow++; d.cfg.StopAfterErrors > 0 && d.inARow >= d.cfg.StopAfterErrors {
		return fmt.Errorf("%w: %d in a row, the last: %s", ErrTooManyErrors, d.inARow, failureReason(r.Reason))
	}
	return nil
}

// ErrTooManyErrors ends a run whose results are all judge errors: the
// backend is down or misconfigured, and going on would only write more
// error lines.
var ErrTooManyErrors = errors.New("stopped early after consecutive judge errors")

// overrideJudge applies Config.OrderPolicy and Config.Cache to an item. It
// replaces the item's judge config with a changed copy, never changing the
// original, which other items may share.
func overrideJudge(req *pb.ScoreRequest, order pb.OrderPolicy, cache pb.CachePolicy) {
	if order == 0 && cache == 0 {
		return
	}
	if req.Judge == nil {
		req.Judge = &pb.JudgeConfig{}
	} else {
		req.Judge = proto.CloneOf(req.Judge)
	}
	if order != 0 {
		req.Judge.OrderPolicy = order
	}
	if cache != 0 {
		req.Judge.Cache = cache
	}
}
