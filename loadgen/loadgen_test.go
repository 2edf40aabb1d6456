package loadgen

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

func TestQuantile(t *testing.T) {
	t.Parallel()
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	ten := ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	tests := []struct {
		sorted []time.Duration
		q      float64
		want   time.Duration
	}{
		{nil, 0.5, 0},
		{ms(7), 0.99, 7 * time.Millisecond},
		{ten, 0, 1 * time.Millisecond},
		{ten, 0.5, 5 * time.Millisecond}, // rank floor(4.5) = 4
		{ten, 0.9, 9 * time.Millisecond}, // rank floor(8.1) = 8
		{ten, 0.99, 9 * time.Millisecond},
		{ten, 1, 10 * time.Millisecond},
		{ten, 1.5, 10 * time.Millisecond}, // clamped
		{ten, -1, 1 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := Quantile(tt.sorted, tt.q); got != tt.want {
			t.Errorf("Quantile(%v, %v) = %v, want %v", tt.sorted, tt.q, got, tt.want)
		}
	}
}

func TestItem(t *testing.T) {
	t.Parallel()
	a, b := Item(1), Item(2)
	if a.ItemId != "load-1" || b.ItemId != "load-2" || a.GetPreference().GetPersona() == b.GetPreference().GetPersona() {
		t.Fatalf("items not distinct: %v / %v", a, b)
	}
	if a.GetJudge().GetCache() != pb.CachePolicy_CACHE_POLICY_BYPASS {
		t.Errorf("cache policy %v, want bypass", a.GetJudge().GetCache())
	}
	if !proto.Equal(Item(1), a) {
		t.Error("Item is not deterministic")
	}
}

// metricsServer serves a Prometheus text page whose CPU counter grows by
// one second per scrape.
func metricsServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var scrapes atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		n := scrapes.Add(1)
		fmt.Fprintf(w, "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"+
			"# TYPE process_cpu_seconds_total counter\n"+
			"process_cpu_seconds_total %d\n"+
			"process_resident_memory_bytes_other 1\n"+
			"process_resident_memory_bytes 5.24288e+07\n"+
			"rpc_calls_total{code=\"ok\"} 12\n"+
			"with_timestamp 3.5 1700000000000\n", n)
	}))
	t.Cleanup(srv.Close)
	return srv, &scrapes
}

func TestScrapeMetric(t *testing.T) {
	t.Parallel()
	srv, _ := metricsServer(t)
	ctx := t.Context()
	for _, tt := range []struct {
		addr, name string
		want       float64
	}{
		{srv.URL, "process_resident_memory_bytes", 52428800},
		{srv.URL + "/", "process_resident_memory_bytes", 52428800}, // trailing slash
		{srv.URL, "with_timestamp", 3.5},
		{srv.URL, "rpc_calls_total", 0}, // labelled: not read
		{srv.URL, "process_cpu", 0},     // a prefix is not a name
		{srv.URL, "absent_metric", 0},   // not on the page
		{srv.URL + "/nothing", "x", 0},  // 404
		{"http://127.0.0.1:1", "x", 0},  // nothing listens
		{"://bad", "x", 0},              // not a URL
	} {
		if got := ScrapeMetric(ctx, tt.addr, tt.name); got != tt.want {
			t.Errorf("ScrapeMetric(%q, %q) = %v, want %v", tt.addr, tt.name, got, tt.want)
		}
	}
}

// scorerFunc adapts a function to Scorer.
type scorerFunc func(context.Context, *pb.ScoreRequest) (*pb.ScoreResponse, error)

func (f scorerFunc) Score(ctx context.Context, r *pb.ScoreRequest) (*pb.ScoreResponse, error) {
	return f(ctx, r)
}

// Every started request is counted once, by code and, for answers, by
// status; latencies are sorted; the server's CPU and memory are read.
func TestRun(t *testing.T) {
	t.Parallel()
	srv, scrapes := metricsServer(t)
	var calls atomic.Int64
	s := scorerFunc(func(ctx context.Context, r *pb.ScoreRequest) (*pb.ScoreResponse, error) {
		switch calls.Add(1) % 3 {
		case 0:
			return nil, connect.NewError(connect.CodeResourceExhausted, fmt.Errorf("busy"))
		case 1:
			return &pb.ScoreResponse{ItemId: r.ItemId, Status: pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT}, nil
		default:
			return &pb.ScoreResponse{ItemId: r.ItemId, Status: pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN}, nil
		}
	})
	res, err := Run(t.Context(), s, Config{Rate: 1000, Duration: 30 * time.Millisecond, Timeout: time.Second, MetricsAddrs: []string{srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Started < 3 || int64(res.Started) != calls.Load() || res.Skipped != 0 {
		t.Fatalf("started %d, scorer called %d times, skipped %d", res.Started, calls.Load(), res.Skipped)
	}
	ok := res.Statuses["VERDICT"] + res.Statuses["ABSTAIN"]
	if res.Codes["ok"]+res.Codes["resource_exhausted"] != res.Started || res.Codes["ok"] != ok || len(res.Latencies) != ok ||
		res.Codes["resource_exhausted"] != res.Started/3 {
		t.Fatalf("started %d: codes %v, statuses %v, %d latencies", res.Started, res.Codes, res.Statuses, len(res.Latencies))
	}
	for i := 1; i < len(res.Latencies); i++ {
		if res.Latencies[i] < res.Latencies[i-1] {
			t.Fatal("latencies not sorted")
		}
	}
	if res.SendTime < 30*time.Millisecond || res.Offered() <= 0 {
		t.Errorf("send time %v, offered %v/s", res.SendTime, res.Offered())
	}
	// CPU: one scrape before, one after (the counter grows by one each).
	if res.PeakRSS != 52428800 || res.CPUSeconds < 1 || scrapes.Load() < 3 {
		t.Errorf("peak RSS %d, CPU %v s after %d scrapes", res.PeakRSS, res.CPUSeconds, scrapes.Load())
	}
}

// Beyond MaxOutstanding unanswered requests, ticks are skipped, not queued;
// a request's own deadline counts as deadline_exceeded.
func TestRunMaxOutstanding(t *testing.T) {
	t.Parallel()
	hang := scorerFunc(func(ctx context.Context, _ *pb.ScoreRequest) (*pb.ScoreResponse, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	res, err := Run(t.Context(), hang, Config{Rate: 500, Duration: 50 * time.Millisecond, Timeout: 300 * time.Millisecond, MaxOutstanding: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Started != 2 || res.Skipped < 1 || res.Codes["deadline_exceeded"] != 2 || len(res.Codes) != 1 {
		t.Fatalf("started %d, skipped %d, codes %v", res.Started, res.Skipped, res.Codes)
	}
	if res.PeakRSS != 0 || res.CPUSeconds != 0 {
		t.Errorf("no metrics address, yet peak RSS %d, CPU %v", res.PeakRSS, res.CPUSeconds)
	}
}

// A done context stops the run at once; a bad configuration is refused.
func TestRunStops(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	never := scorerFunc(func(context.Context, *pb.ScoreRequest) (*pb.ScoreResponse, error) {
		t.Error("a request started after the context was done")
		return nil, nil
	})
	res, err := Run(ctx, never, Config{Rate: 10, Duration: time.Hour})
	if err != nil || res.Started != 0 {
		t.Fatalf("started %d, err %v", res.Started, err)
	}
	for _, c := range []Config{{Rate: 0, Duration: time.Second}, {Rate: 1, Duration: 0}} {
		if _, err := Run(t.Context(), never, c); err == nil || !strings.Contains(err.Error(), "positive") {
			t.Errorf("config %+v: %v", c, err)
		}
	}
}
