package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/judges"
	"google.golang.org/protobuf/proto"
)

// runEval is `personajudge eval`: it streams a labelled dataset through ScoreStream:
//
//	personajudge eval --in items.jsonl --out results.jsonl [--addr URL]
//	personajudge eval --local [--db FILE] [--models FILE | simulator flags] --in items.jsonl --out results.jsonl
//
// --in holds one {"request": ScoreRequest, "label": Label} per line
// (eval_dataset.go); --out gets one {"itemId", "result", "label",
// "correct"} per line as results arrive (eval_results.go). Re-running the
// same command resumes: items already in --out are skipped.
func runEval(args []string) error {
	o, err := parseEvalFlags(args)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	_, err = evalRun(ctx, o)
	return err
}

// evalRun judges every item of --in not yet in --out, appends the results,
// and prints the summary. On a broken stream or an interrupt it keeps what
// arrived and says how to resume.
func evalRun(ctx context.Context, o evalOptions) (*evalStats, error) {
	stats := newEvalStats()
	stats.collectOutcomes = o.recordOutcomes
	done, torn, err := loadResults(o.out, func(r *pb.ScoreResponse, l *pb.Label) bool {
		if o.retryErrors && r.Status == pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR {
			stats.retried++
			return false
		}
		stats.add(r, l, false)
		return true
	})
	if err != nil {
		return nil, err
	}
	if torn > 0 {
		fmt.Fprintf(o.stderr, "eval: cut a torn last line (%d bytes) off %s; its item is judged again\n", torn, o.out)
	}
	todo, skipped, err := countTodo(o.in, done)
	if err != nil {
		return nil, err
	}
	stats.skipped = skipped

	addr := o.addr
	var local *localService
	if o.local {
		if local, err = startLocal(o.localOpts); err != nil {
			return nil, err
		}
		defer local.close()
		addr = local.url
	}
	w, err := openResults(o.out)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	prog := startProgress(o.stderr, o.progress, o.progressEvery, todo)
	runErr := streamItems(ctx, o, addr, done, w, stats, prog)
	prog.finish()
	stats.wall = time.Since(start)
	if err := w.close(); err != nil && runErr == nil {
		runErr = err
	}
	if local != nil && local.sim != nil {
		stats.simCalls = local.sim.Stats().Calls
	}
	if o.recordOutcomes {
		if err := recordRunOutcomes(ctx, o, addr, stats, runErr); err != nil && runErr == nil {
			runErr = err
		}
	}
	stats.print(o.stdout, o.out)
	if runErr != nil {
		return stats, fmt.Errorf("%w; %d of %d items judged this run; run the same command again to resume", runErr, stats.run, todo)
	}
	return stats, nil
}

// streamItems sends the items still to judge on one ScoreStream, at most
// inFlight unanswered at a time, and writes each result as it arrives.
func streamItems(parent context.Context, o evalOptions, addr string, done map[string]bool, w *resultWriter, stats *evalStats, prog *progress) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	hc := h2cClient(addr)
	defer hc.CloseIdleConnections() // so an in-process service shuts down at once
	client := personajudgev1connect.NewJudgeServiceClient(hc, addr, connect.WithGRPC(), apiKeyOption())
	stream, err := client.ScoreStream(ctx)
	if err != nil {
		return err
	}

	var (
		mu      sync.Mutex
		pending = map[string]*pb.Label{} // sent, not yet answered
		slots   = make(chan struct{}, o.inFlight)
		sendErr error
		wg      sync.WaitGroup
	)
	wg.Go(func() {
		sendErr = eachDatasetItem(o.in, func(it datasetItem) error {
			if done[it.req.ItemId] {
				return nil
			}
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			overrideJudge(it.req, o.orderPolicy, o.cache)
			mu.Lock()
			pending[it.req.ItemId] = it.label
			mu.Unlock()
			return stream.Send(&pb.ScoreStreamRequest{Item: it.req})
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
		t := time.NewTicker(o.syncEvery)
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
	recvErr := receiveResults(stream, &mu, pending, slots, w, stats, prog)
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

func receiveResults(stream *connect.BidiStreamForClientSimple[pb.ScoreStreamRequest, pb.ScoreStreamResponse], mu *sync.Mutex,
	pending map[string]*pb.Label, slots chan struct{}, w *resultWriter, stats *evalStats, prog *progress) error {
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
			stats.unmatched++ // not ours: nothing to resume from it
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
		stats.add(r, label, true)
		prog.add()
	}
}

// overrideJudge applies --order-policy and --cache to an item.
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

// h2cClient speaks HTTP/2 to the service, which streaming needs: over
// cleartext (h2c) for http:// and negotiated by TLS for https://.
func h2cClient(addr string) *http.Client {
	if strings.HasPrefix(addr, "https://") {
		return http.DefaultClient
	}
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: p}}
}
