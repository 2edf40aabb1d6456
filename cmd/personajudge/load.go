package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
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
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
)

// runLoad is an open-loop load generator for Score: requests start at a
// fixed rate whatever the server's latency, as independent callers would
// send them, so overload shows as refusals and latency, not as a slower
// generator. It reports codes, latency percentiles and the server's peak
// resident memory (read from its /metrics).
func runLoad(args []string) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	addr := fs.String("addr", "http://127.0.0.1:8080", "base URL of the service")
	rps := fs.Float64("rate", 50, "requests started per second")
	dur := fs.Duration("duration", 60*time.Second, "how long to send")
	timeout := fs.Duration("timeout", 30*time.Second, "deadline per request")
	maxOutstanding := fs.Int("max-outstanding", 20000, "stop starting requests beyond this many unanswered (protects the generator)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rps <= 0 || *dur <= 0 {
		return fmt.Errorf("--rate and --duration must be positive")
	}
	hc := h2cClient(*addr)
	client := personajudgev1connect.NewJudgeServiceClient(hc, *addr, connect.WithGRPC(), apiKeyOption())

	var (
		mu        sync.Mutex
		latencies []time.Duration
		codes     = map[string]int{}
		statuses  = map[string]int{}
		wg        sync.WaitGroup
		out       atomic.Int64
		skipped   int
		peakRSS   atomic.Int64
	)
	stopSampling := sampleRSS(*addr, &peakRSS)
	cpuBefore := scrapeMetric(*addr, "process_cpu_seconds_total")
	start := time.Now()
	interval := time.Duration(float64(time.Second) / *rps)
	next := start
	for i := 0; time.Since(start) < *dur; i++ {
		time.Sleep(time.Until(next))
		next = next.Add(interval)
		if out.Load() >= int64(*maxOutstanding) {
			skipped++
			continue
		}
		out.Add(1)
		wg.Go(func() {
			defer out.Add(-1)
			ctx, cancel := context.WithTimeout(context.Background(), *timeout)
			defer cancel()
			t0 := time.Now()
			resp, err := client.Score(ctx, loadItem(i))
			d := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				code := connect.CodeOf(err).String()
				if errors.Is(err, context.DeadlineExceeded) {
					// The caller's own deadline, even when it struck while
					// the answer was being read (which connect reports as
					// unknown).
					code = "deadline_exceeded"
				}
				codes[code]++
				return
			}
			codes["ok"]++
			statuses[strings.TrimPrefix(resp.Status.String(), "JUDGMENT_STATUS_")]++
			latencies = append(latencies, d)
		})
	}
	sent := time.Since(start)
	wg.Wait()
	stopSampling()
	slices.Sort(latencies)
	total := 0
	for _, n := range codes {
		total += n
	}
	fmt.Printf("sent %d requests in %s (%.1f/s offered, %d not started: generator limit)\n", total, sent.Round(time.Millisecond), float64(total)/sent.Seconds(), skipped)
	fmt.Printf("codes: %v\nstatuses of ok: %v\n", codes, statuses)
	if len(latencies) > 0 {
		fmt.Printf("latency of ok: p50 %s  p90 %s  p99 %s  max %s\n",
			quantile(latencies, 0.50), quantile(latencies, 0.90), quantile(latencies, 0.99), latencies[len(latencies)-1])
	}
	if cpu := scrapeMetric(*addr, "process_cpu_seconds_total") - cpuBefore; cpu > 0 && codes["ok"] > 0 {
		fmt.Printf("server CPU: %.1f s, %.0f µs per answered judgment\n", cpu, cpu*1e6/float64(codes["ok"]))
	}
	if rss := peakRSS.Load(); rss > 0 {
		fmt.Printf("server peak RSS: %.1f MiB\n", float64(rss)/(1<<20))
	}
	return nil
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q * float64(len(sorted)-1))
	return sorted[i].Round(100 * time.Microsecond)
}

// loadItem is a distinct preference item per index, so the response cache
// never answers for the backend.
func loadItem(i int) *pb.ScoreRequest {
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

// sampleRSS polls the server's process_resident_memory_bytes once a second
// and keeps the peak; it stops when the returned function is called.
func sampleRSS(addr string, peak *atomic.Int64) func() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			if v := int64(scrapeMetric(addr, "process_resident_memory_bytes")); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// scrapeMetric reads one unlabelled gauge or counter from the service's
// Prometheus endpoint; 0 when it cannot.
func scrapeMetric(addr, name string) float64 {
	res, err := http.Get(strings.TrimSuffix(addr, "/") + "/metrics")
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(io.LimitReader(res.Body, 4<<20))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return 0
}
