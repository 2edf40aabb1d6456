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

// streamItems sends the items still to judge on one ScoreStream, at most
// cfg.InFlight unanswered at a time, and writes each result as it arrives.
func streamItems(parent context.Context, cfg *Config, done map[string]bool, w *resultWriter, s *Summary, prog *progress) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	opts := append([]connect.ClientOption{connect.WithGRPC()}, cfg.ClientOptions...)
	client := personajudgev1connect.NewJudgeServiceClient(cfg.HTTPClient, cfg.Addr, opts...)
	stream, err := client.ScoreStream(ctx)
	if err != nil {
		return err
	}

	var (
		mu      sync.Mutex
		pending = map[string]*pb.Label{} // sent, not yet answered
		slots   = make(chan struct{}, cfg.InFlight)
		sendErr error
		wg      sync.WaitGroup
	)
	wg.Go(func() {
		sendErr = ReadDataset(cfg.Dataset, func(it Item) error {
			if done[it.Request.ItemId] {
				return nil
			}
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			overrideJudge(it.Request, cfg.OrderPolicy, cfg.Cache)
			mu.Lock()
			pending[it.Request.ItemId] = it.Label
			mu.Unlock()
			return stream.Send(&pb.ScoreStreamRequest{Item: it.Request})
		})
		if sendErr == nil {
			sendErr = stream.CloseRequest()
		}
		if sendErr != nil {
			cancel() // unblock the reader; the stream is of no more use
		}
	})
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
	recvErr := receiveResults(stream, cfg.StopAfterErrors, &mu, pending, slots, w, s, prog)
	if recvErr != nil {
		cancel()
	}
	close(syncDone)
	wg.Wait()
	stream.CloseResponse()
	switch {
	case parent.Err() != nil:
		return errors.New("interrupted")
	case sendErr != nil && !errors.Is(sendErr, io.EOF) && !errors.Is(sendErr, context.Canceled) && connect.CodeOf(sendErr) != connect.CodeCanceled:
		return fmt.Errorf("sending: %w", sendErr) // the cause; the reader was stopped for it
	case recvErr != nil:
		return fmt.Errorf("stream: %w", recvErr)
	}
	if n := len(pending); n > 0 {
		return fmt.Errorf("the stream ended with %d items unanswered", n)
	}
	return nil
}

// receiveResults writes each result the stream returns, freeing its slot.
// Results may come in any order; pending matches them to their labels.
func receiveResults(stream *connect.BidiStreamForClientSimple[pb.ScoreStreamRequest, pb.ScoreStreamResponse], stopAfter int, mu *sync.Mutex,
	pending map[string]*pb.Label, slots chan struct{}, w *resultWriter, s *Summary, prog *progress) error {
	inARow := 0 // JUDGE_ERROR results since the last other result
	for {
		msg, err := stream.Receive()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		r := msg.GetResult()
		mu.Lock()
		label, ok := pending[r.GetItemId()]
		delete(pending, r.GetItemId())
		mu.Unlock()
		if !ok {
			s.Unmatched++ // not ours: nothing to resume from it
			continue
		}
		<-slots
		var correct *bool
		if label != nil {
			c := judges.VerdictCorrect(r.Verdict, label)
			correct = &c
		}
		line, err := marshalResult(r, label, correct)
		if err != nil {
			return err
		}
		if err := w.write(line); err != nil {
			return fmt.Errorf("writing results: %w", err)
		}
		s.add(r, label, true)
		prog.add()
		if r.Status != pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR {
			inARow = 0
			continue
		}
		if inARow++; stopAfter > 0 && inARow >= stopAfter {
			return fmt.Errorf("%w: %d in a row, the last: %s", ErrTooManyErrors, inARow, failureReason(r.Reason))
		}
	}
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
