package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

// TestStreamMemoryFlat streams PJ_STREAM_ITEMS items (100000 for the
// figure in the README) through one ScoreStream against a zero-latency
// backend, as `serve` runs (LLM cache on), and fails if the live heap or
// the resident memory at the last item is more than 10% above its value at
// the tenth of the items. Not part of the ordinary suite:
//
//	PJ_STREAM_ITEMS=100000 go test -run TestStreamMemoryFlat -timeout 30m -v ./server/
func TestStreamMemoryFlat(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("PJ_STREAM_ITEMS"))
	if n < 1000 {
		t.Skip("set PJ_STREAM_ITEMS (for example 100000) to stream that many items and compare memory at a tenth and at the end")
	}
	fake := llmfake.New(fakejudge.ContentPreference("GOOD", 80))
	t.Cleanup(fake.Close)
	retries := 2
	h := buildHarness(t, fake, clients.FileConfig{Models: []clients.ModelConfig{{
		Name: "judge", BaseURL: fake.BaseURL(), MaxConcurrency: 64, Timeout: "10s", MaxRetries: &retries,
	}}}, harnessExtras{cache: true})

	stream, err := h.connect.ScoreStream(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	sendErr := make(chan error, 1)
	go func() {
		for i := range n {
			req := prefItemID(fmt.Sprintf("item-%d", i), i%2)
			// Every item distinct, so each is judged (no cache hits).
			req.GetPreference().Query = fmt.Sprintf("Where should I eat tonight? (evening %d)", i)
			if err := stream.Send(&pb.ScoreStreamRequest{Item: req}); err != nil {
				sendErr <- err
				return
			}
		}
		sendErr <- stream.CloseRequest()
	}()
	type mem struct{ heap, rss float64 }
	measure := func() mem {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return mem{heap: float64(ms.HeapInuse) / (1 << 20), rss: residentMiB(t)}
	}
	var first mem
	for got := 0; ; {
		msg, err := stream.Receive()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("after %d results: %v", got, err)
		}
		if msg.GetResult().GetStatus() != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT {
			t.Fatalf("result %d: %v", got, msg.GetResult().GetStatus())
		}
		got++
		switch got {
		case n / 10:
			first = measure()
			t.Logf("at %d items: heap in use %.1f MiB, RSS %.1f MiB", got, first.heap, first.rss)
		case n:
			last := measure()
			t.Logf("at %d items: heap in use %.1f MiB, RSS %.1f MiB", got, last.heap, last.rss)
			if last.heap > 1.1*first.heap || last.rss > 1.1*first.rss {
				t.Errorf("memory grew more than 10%% from item %d to item %d", n/10, n)
			}
		}
	}
	if err := <-sendErr; err != nil {
		t.Fatal(err)
	}
}

// residentMiB reads this process's resident memory from /proc.
func residentMiB(t *testing.T) float64 {
	raw, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skipf("no /proc/self/statm: %v", err)
	}
	f := bytes.Fields(raw)
	pages, _ := strconv.ParseFloat(string(f[1]), 64)
	return pages * float64(os.Getpagesize()) / (1 << 20)
}
