package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"connectrpc.com/connect"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/loadgen"
)

// runLoad is `personajudge load`: open-loop load on Score (see package
// loadgen), then codes, latency percentiles and the server's CPU time and
// peak resident memory (read from its /metrics).
func runLoad(args []string) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	addr := fs.String("addr", serviceAddr(), addrUsage)
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
	client := personajudgev1connect.NewJudgeServiceClient(h2cClient(*addr), *addr, connect.WithGRPC(), apiKeyOption())
	r, err := loadgen.Run(context.Background(), client, loadgen.Config{
		Rate: *rps, Duration: *dur, Timeout: *timeout, MaxOutstanding: *maxOutstanding, MetricsAddr: *addr,
	})
	if err != nil {
		return err
	}
	out := os.Stdout
	fmt.Fprintf(out, "sent %d requests in %s (%.1f/s offered, %d not started: generator limit)\n",
		r.Started, r.SendTime.Round(time.Millisecond), r.Offered(), r.Skipped)
	fmt.Fprintf(out, "codes: %v\nstatuses of ok: %v\n", r.Codes, r.Statuses)
	if n := len(r.Latencies); n > 0 {
		q := func(q float64) time.Duration { return loadgen.Quantile(r.Latencies, q).Round(100 * time.Microsecond) }
		fmt.Fprintf(out, "latency of ok: p50 %s  p90 %s  p99 %s  max %s\n", q(0.50), q(0.90), q(0.99), r.Latencies[n-1])
	}
	if ok := r.Codes["ok"]; r.CPUSeconds > 0 && ok > 0 {
		fmt.Fprintf(out, "server CPU: %.1f s, %.0f µs per answered judgment\n", r.CPUSeconds, r.CPUSeconds*1e6/float64(ok))
	}
	if r.PeakRSS > 0 {
		fmt.Fprintf(out, "server peak RSS: %.1f MiB\n", float64(r.PeakRSS)/(1<<20))
	}
	return nil
}
