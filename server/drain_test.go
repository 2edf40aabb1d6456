package server

import (
	"errors"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

// drainFake answers at once, except items with HOLD in the query, which
// report their arrival and wait for hold to close, and items with SLOW,
// which report their arrival and take ten minutes (cut short when the
// judgment is given up).
func drainFake(t *testing.T) (b llmfake.Behavior, hold chan struct{}, arrived chan string) {
	content := fakejudge.ContentPreference("GOOD", 80)
	hold, arrived = make(chan struct{}), make(chan string, 16)
	t.Cleanup(func() {
		select {
		case <-hold:
		default:
			close(hold)
		}
	})
	return func(r *llmfake.Request, n int64) llmfake.Reply {
		rep := content(r, n)
		switch {
		case strings.Contains(r.User(), "HOLD"):
			arrived <- "hold"
			<-hold
		case strings.Contains(r.User(), "SLOW"):
			arrived <- "slow"
			rep.Delay = 10 * time.Minute
		}
		return rep
	}, hold, arrived
}

func drainItem(id, marker string) *pb.ScoreRequest {
	r := prefItemID(id, 0)
	r.GetPreference().Query += " " + marker
	return r
}

// receiveAll reads a stream to its end: the results by item id, and the
// error it ended with.
func receiveAll(stream *connect.BidiStreamForClientSimple[pb.ScoreStreamRequest, pb.ScoreStreamResponse]) (map[string]*pb.ScoreResponse, error) {
	got := map[string]*pb.ScoreResponse{}
	for {
		msg, err := stream.Receive()
		if err != nil {
			return got, err
		}
		got[msg.Result.ItemId] = msg.Result
	}
}

func assertShuttingDown(t *testing.T, err error, names []string, absent []string) {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != connect.CodeUnavailable || !strings.Contains(ce.Message(), "shutting down") {
		t.Fatalf("stream ended with %v, want Unavailable: shutting down", err)
	}
	for _, n := range names {
		if !strings.Contains(ce.Message(), `"`+n+`"`) {
			t.Errorf("%q not named in %q", n, ce.Message())
		}
	}
	for _, n := range absent {
		if strings.Contains(ce.Message(), `"`+n+`"`) {
			t.Errorf("%q named in %q", n, ce.Message())
		}
	}
}

// Draining without a deadline: the stream stops taking items, finishes
// the one it is judging and sends its result, then ends with Unavailable.
func TestScoreStreamDrainFinishesAcceptedItems(t *testing.T) {
	t.Parallel()
	b, hold, arrived := drainFake(t)
	h := newHarness(t, b)
	stream, err := h.connect.ScoreStream(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&pb.ScoreStreamRequest{Item: prefItemID("before", 0)}); err != nil {
		t.Fatal(err)
	}
	if msg, err := stream.Receive(); err != nil || msg.Result.ItemId != "before" {
		t.Fatalf("first result: %v %v", msg, err)
	}
	if err := stream.Send(&pb.ScoreStreamRequest{Item: drainItem("held", "HOLD")}); err != nil {
		t.Fatal(err)
	}
	<-arrived
	h.svc.Drain(time.Time{})
	// Sent once shutdown has begun: never accepted.
	stream.Send(&pb.ScoreStreamRequest{Item: prefItemID("after", 1)})
	close(hold)
	got, err := receiveAll(stream)
	assertShuttingDown(t, err, nil, []string{"held", "after"})
	if r := got["held"]; r == nil || r.Status != verdict {
		t.Fatalf("the accepted item's result: %v", r)
	}
	if r, ok := got["after"]; ok {
		t.Fatalf("an item sent after shutdown began was answered: %v", r)
	}
	if n := h.judgments(t); n != 2 {
		t.Fatalf("%d judgments recorded, want 2 (before, held)", n)
	}

	// A stream opened now is refused at once.
	late, err := h.connect.ScoreStream(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	late.Send(&pb.ScoreStreamRequest{Item: prefItemID("late", 0)})
	_, err = receiveAll(late)
	assertShuttingDown(t, err, nil, nil)
}

// At the drain deadline the judgments still running are given up, and the
// stream's Unavailable names their items, so the client can send them
// again; what finished was answered.
func TestScoreStreamDrainDeadlineNamesUnjudgedItems(t *testing.T) {
	t.Parallel()
	b, _, arrived := drainFake(t)
	h := newHarness(t, b)
	stream, err := h.connect.ScoreStream(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*pb.ScoreRequest{prefItemID("done", 1), drainItem("slow-1", "SLOW"), drainItem("slow-2", "SLOW")} {
		if err := stream.Send(&pb.ScoreStreamRequest{Item: r}); err != nil {
			t.Fatal(err)
		}
	}
	if msg, err := stream.Receive(); err != nil || msg.Result.ItemId != "done" {
		t.Fatalf("first result: %v %v", msg, err)
	}
	for range 4 { // both orders of both slow items are at the backend
		<-arrived
	}
	h.svc.Drain(time.Now()) // the deadline has already passed
	got, err := receiveAll(stream)
	assertShuttingDown(t, err, []string{"slow-1", "slow-2"}, []string{"done"})
	if len(got) != 0 {
		t.Fatalf("results after the deadline: %v", got)
	}
	if !strings.Contains(err.Error(), "2 accepted items could not be judged in time") {
		t.Fatalf("message %q does not count the items given up", err)
	}
}
