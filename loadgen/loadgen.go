// Package loadgen is an open-loop load generator for the Score RPC:
// requests start at a fixed rate whatever the server's latency, as
// independent callers would send them, so overload shows as refusals and
// latency, not as a slower generator. It counts codes and judgment
// statuses, keeps the latencies of answered calls, and reads the server's
// CPU time and peak resident memory from its Prometheus /metrics.
package loadgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// Scorer is the call under load; a personajudgev1connect.JudgeServiceClient
// is one.
type Scorer interface {
	Score(context.Context, *pb.ScoreRequest) (*pb.ScoreResponse, error)
}

// Config is a run's shape.
type Config struct {
	// Rate is the requests started per second.
	Rate float64
	// Duration is how long requests are started.
	Duration time.Duration
	// Timeout is the deadline of each request; 0: none.
	Timeout time.Duration
	// MaxOutstanding stops starting requests while this many are
	// unanswered, which protects the generator; 0: no limit.
	MaxOutstanding int
	// MetricsAddrs are the base URLs whose /metrics are read for the
	// servers' CPU time (summed) and peak resident memory (the largest of
	// one replica); none: not read.
	MetricsAddrs []string
}

// Result is what a run saw.
type Result struct {
	// Started counts the requests sent; all of them have been answered or
	// have failed when Run returns.
	Started int
	// Skipped counts the ticks at which no request started because
	// MaxOutstanding were unanswered.
	Skipped int
	// SendTime is how long requests were started for.
	SendTime time.Duration
	// Codes counts outcomes by Connect code ("ok" for an answer,
	// "deadline_exceeded" whenever the request's own deadline struck).
	Codes map[string]int
	// Statuses counts the judgment statuses of answers, without the
	// JUDGMENT_STATUS_ prefix.
	Statuses map[string]int
	// Latencies are those of the answers, sorted.
	Latencies []time.Duration
	// CPUSeconds is the server's process CPU time during the run; 0 when
	// unknown.
	CPUSeconds float64
	// PeakRSS is the server's peak resident memory in bytes, sampled once
	// a second; 0 when unknown.
	PeakRSS int64
}

// Offered is the rate requests were actually started at.
func (r Result) Offered() float64 {
	if r.SendTime <= 0 {
		return 0
	}
	return float64(r.Started) / r.SendTime.Seconds()
}

// Run starts requests at cfg.Rate for cfg.Duration, or until ctx is done,
// and waits for all of them. Request i is Item(i).
func Run(ctx context.Context, s Scorer, cfg Config) (Result, error) {
	if cfg.Rate <= 0 || cfg.Duration <= 0 {
		return Result{}, errors.New("the rate and the duration must be positive")
	}
	res := Result{Codes: map[string]int{}, Statuses: map[string]int{}}
	var (
		mu           sync.Mutex
		wg           sync.WaitGroup
		outstanding  atomic.Int64
		peakRSS      atomic.Int64
		cpuBefore    float64
		stopSampling = func() {}
	)
	var stops []func()
	for _, addr := range cfg.MetricsAddrs {
		stops = append(stops, sampleRSS(ctx, addr, &peakRSS))
		cpuBefore += ScrapeMetric(ctx, addr, "process_cpu_seconds_total")
	}
	stopSampling = func() {
		for _, stop := range stops {
			stop()
		}
	}
	call := func(i int) {
		defer outstanding.Add(-1)
		rctx, cancel := ctx, context.CancelFunc(func() {})
		if cfg.Timeout > 0 {
			rctx, cancel = context.WithTimeout(ctx, cfg.Timeout)
		}
		defer cancel()
		t0 := time.Now()
		resp, err := s.Score(rctx, Item(i))
		d := time.Since(t0)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			code := connect.CodeOf(err).String()
			if errors.Is(err, context.DeadlineExceeded) {
				// The caller's own deadline, even when it struck while the
				// answer was being read (which connect reports as unknown).
				code = "deadline_exceeded"
			}
			res.Codes[code]++
			return
		}
		res.Codes["ok"]++
		res.Statuses[strings.TrimPrefix(resp.GetStatus().String(), "JUDGMENT_STATUS_")]++
		res.Latencies = append(res.Latencies, d)
	}

	start := time.Now()
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	next := start
	tick := time.NewTimer(0)
	defer tick.Stop()
	for i := 0; time.Since(start) < cfg.Duration; i++ {
		tick.Reset(time.Until(next))
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
		if ctx.Err() != nil {
			break
		}
		next = next.Add(interval)
		if cfg.MaxOutstanding > 0 && outstanding.Load() >= int64(cfg.MaxOutstanding) {
			res.Skipped++
			continue
		}
		outstanding.Add(1)
		res.Started++
		wg.Go(func() { call(i) })
	}
	res.SendTime = time.Since(start)
	wg.Wait()
	stopSampling()
	slices.Sort(res.Latencies)
	res.PeakRSS = peakRSS.Load()
	if len(cfg.MetricsAddrs) > 0 {
		cpuAfter := 0.0
		for _, addr := range cfg.MetricsAddrs {
			cpuAfter += ScrapeMetric(ctx, addr, "process_cpu_seconds_total")
		}
		res.CPUSeconds = max(cpuAfter-cpuBefore, 0)
	}
	return res, nil
}

// Quantile is the q-quantile (0..1) of sorted durations, the sample at
// rank floor(q·(n-1)); 0 when there are none.
func Quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	q = min(max(q, 0), 1)
	return sorted[int(q*float64(len(sorted)-1))]
}

// Item is a distinct preference item per index, with the response cache
// bypassed, so every request reaches the judge backend.
func Item(i int) *pb.ScoreRequest {
	return &pb.ScoreRequest{
		ItemId: "load-" + strconv.Itoa(i),
		Task: &pb.ScoreRequest_Preference{Preference: &pb.PersonalizedPreferenceTask{
			Persona:   fmt.Sprintf("Load-test persona %d: a retired teacher who likes short answers.", i),
			Query:     "What is a good weekend hobby?",
			ResponseA: "Gardening: it is calm, cheap, and gets you outside.",
			ResponseB: "Competitive esports with a 40-hour weekly training plan.",
		}},
		Judge: &pb.JudgeConfig{Cache: pb.CachePolicy_CACHE_POLICY_BYPASS},
	}
}

// sampleRSS reads the server's process_resident_memory_bytes now and then
// once a second, keeping the peak; it stops when the returned function is
// called.
func sampleRSS(ctx context.Context, addr string, peak *atomic.Int64) func() {
	sample := func() {
		v := int64(ScrapeMetric(ctx, addr, "process_resident_memory_bytes"))
		for {
			old := peak.Load()
			if v <= old || peak.CompareAndSwap(old, v) {
				break
			}
		}
	}
	sample()
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				sample()
			}
		}
	})
	return func() { cancel(); wg.Wait() }
}

// ScrapeMetric reads one unlabelled gauge or counter from the Prometheus
// endpoint at addr + "/metrics"; 0 when it cannot.
func ScrapeMetric(ctx context.Context, addr, name string) float64 {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(addr, "/")+"/metrics", nil)
	if err != nil {
		return 0
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0
	}
	sc := bufio.NewScanner(io.LimitReader(res.Body, 4<<20))
	for sc.Scan() {
		// name value [timestamp]
		if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == name {
			v, _ := strconv.ParseFloat(f[1], 64)
			return v
		}
	}
	return 0
}
