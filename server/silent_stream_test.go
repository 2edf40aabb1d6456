package server

import (
	"context"
	"net"
	"net/http"
	"sync"
	"testing"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
)

// silentStream opens a ScoreStream on its own connection, with a 1 KiB
// receive window, sends n items (item(i) is the i-th) and never reads a
// result: a caller that stopped reading. When the test ends, the stream's
// connection is closed, as a client that vanishes would; closing it is
// what ends the handler, since a client stream blocked on its request body
// sends no reset when its context is canceled.
func silentStream(t *testing.T, h *harness, n int, item func(i int) *pb.ScoreRequest) {
	t.Helper()
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() { // runs before the harness closes
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	dialer := &net.Dialer{}
	small := &http.Client{Transport: &http.Transport{
		Protocols: unencryptedHTTP2(),
		HTTP2:     &http.HTTP2Config{MaxReceiveBufferPerStream: 1 << 10},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dialer.DialContext(ctx, network, addr)
			if err == nil {
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
			}
			return c, err
		},
	}}
	client := personajudgev1connect.NewJudgeServiceClient(small, h.srv.URL, connect.WithGRPC())
	stream, err := client.ScoreStream(context.WithoutCancel(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for i := range n {
			if stream.Send(&pb.ScoreStreamRequest{Item: item(i)}) != nil {
				return // the server stopped reading it for good, or the test ended
			}
		}
		stream.CloseRequest()
	}()
}
