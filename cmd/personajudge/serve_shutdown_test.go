package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

// SIGTERM with a stream open: the stream stops taking items, sends the
// results of what finished, and ends with Unavailable naming the accepted
// item it could not finish within --shutdown-grace; the process exits
// cleanly. Before, the stream kept taking items and was cut when the grace
// ran out ("protocol error: incomplete envelope").
func TestServeStreamGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	content := fakejudge.ContentPreference("GOOD", 85)
	slowArrived := make(chan struct{}, 2)
	fake := llmfake.New(func(r *llmfake.Request, n int64) llmfake.Reply {
		rep := content(r, n)
		if strings.Contains(r.User(), "SLOW") {
			slowArrived <- struct{}{}
			rep.Delay = 10 * time.Minute // cut short when the judgment is cancelled
		}
		return rep
	})
	defer fake.Close()
	bin := buildBinary(t)
	cmd, url, logs := startServe(t, bin, fake, "--shutdown-grace", "3s")

	client := personajudgev1connect.NewJudgeServiceClient(h2cClient(url), url, connect.WithGRPC())
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stream, err := client.ScoreStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	item := func(id string) *pb.ScoreRequest {
		r := scoreRequest()
		r.ItemId = id
		r.GetPreference().Persona += " (" + id + ")" // distinct items: no cache hits
		return r
	}
	for i := range 3 {
		if err := stream.Send(&pb.ScoreStreamRequest{Item: item(fmt.Sprintf("fast-%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	results := map[string]pb.JudgmentStatus{}
	for range 3 {
		msg, err := stream.Receive()
		if err != nil {
			t.Fatalf("before shutdown: %v", err)
		}
		results[msg.Result.ItemId] = msg.Result.Status
	}

	slow := item("slow-1")
	slow.GetPreference().Query += " SLOW"
	if err := stream.Send(&pb.ScoreStreamRequest{Item: slow}); err != nil {
		t.Fatal(err)
	}
	<-slowArrived // the slow item is being judged
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	logs.waitFor("shutting down")
	// Sent after shutdown began: not accepted, so never judged or answered.
	stream.Send(&pb.ScoreStreamRequest{Item: item("after-sigterm")})

	var end error
	for {
		msg, err := stream.Receive()
		if err != nil {
			end = err
			break
		}
		results[msg.Result.ItemId] = msg.Result.Status
	}
	for i := range 3 {
		if st := results[fmt.Sprintf("fast-%d", i)]; st != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT {
			t.Errorf("fast-%d: %v, want VERDICT", i, st)
		}
	}
	if st, ok := results["after-sigterm"]; ok {
		t.Errorf("an item sent after SIGTERM was accepted and answered (%v)", st)
	}
	if st, ok := results["slow-1"]; ok {
		t.Errorf("slow-1 answered %v; it cannot finish within the grace", st)
	}
	var ce *connect.Error
	if !errors.As(end, &ce) || ce.Code() != connect.CodeUnavailable || !strings.Contains(ce.Message(), "slow-1") {
		t.Errorf("the stream ended with %v; want Unavailable naming slow-1", end)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve exited with %v\nlogs:\n%s", err, logs)
	}
}
