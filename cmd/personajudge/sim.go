package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/personajudge/personajudge/internal/sim"
)

// runSim serves the judge simulator, or with "generate" writes a labelled
// dataset for it. The simulator is for demos, load tests and benchmarks
// only: nothing uses it unless a models file points at it.
func runSim(args []string) error {
	if len(args) > 0 && args[0] == "generate" {
		return runSimGenerate(args[1:])
	}
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: personajudge sim [flags]            serve the simulated judge\n       personajudge sim generate [flags]   write a labelled dataset\n\nflags:")
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:9090", "address to listen on (host:port)")
	simConfig := addSimFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (did you mean 'sim generate'?)", fs.Arg(0))
	}
	cfg, err := simConfig()
	if err != nil {
		return err
	}
	h, err := sim.NewHandler(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serveSim(ctx, ln, h, os.Stdout, os.Stderr)
}

// serveSim serves the simulator on ln until ctx is done, printing its base
// URL (and a models file that points at it) first and its counts last.
func serveSim(ctx context.Context, ln net.Listener, h *sim.Handler, stdout, stderr io.Writer) error {
	base := "http://" + ln.Addr().String() + "/v1"
	fmt.Fprintf(stdout, "judge simulator at %s\n", base)
	fmt.Fprintf(stdout, "models file: {\"models\":[{\"name\":\"sim\",\"base_url\":%q,\"max_concurrency\":64}]}\n", base)
	err := h.Serve(ctx, ln)
	st := h.Stats()
	fmt.Fprintf(stderr, "simulator: %d calls: %d answered, %d 429, %d 500, %d malformed, %d rejected\n",
		st.Calls, st.Answered, st.Status429, st.Status500, st.Malformed, st.Rejected)
	return err
}

// addSimFlags registers the simulator's knobs, shared by `sim` and
// `eval --local`; the returned function reads them once parsed.
func addSimFlags(fs *flag.FlagSet) func() (sim.Config, error) {
	d := sim.DefaultConfig()
	latency := fs.Duration("latency", 0, "call latency: the fixed value, the uniform minimum, or the lognormal median")
	dist := fs.String("latency-dist", sim.LatencyFixed, "latency distribution: fixed, uniform (--latency..--latency-max) or lognormal (median --latency, --latency-sigma)")
	latMax := fs.Duration("latency-max", 0, "uniform latency maximum")
	sigma := fs.Float64("latency-sigma", 0.5, "lognormal latency shape (standard deviation of ln latency)")
	acc := fs.Float64("accuracy", d.Accuracy, "probability, averaged over items, that an unbiased call picks the better response")
	bias := fs.Float64("position-bias", d.PositionBias, "probability that a call picks the first response shown, whatever it says")
	over := fs.Float64("overconfidence", d.Certainty.Offset, "added to the stated excess over chance (0..1): positive states too much certainty, negative too little")
	exp := fs.Float64("certainty-exponent", d.Certainty.Exponent, "exponent on the excess over chance: below 1 overconfident, above 1 underconfident")
	noise := fs.Float64("certainty-noise", d.Certainty.Noise, "standard deviation of noise on the stated excess over chance")
	r429 := fs.Float64("rate-429", 0, "per-attempt probability of HTTP 429 (with Retry-After-Ms)")
	r500 := fs.Float64("rate-500", 0, "per-attempt probability of HTTP 500")
	rBad := fs.Float64("rate-malformed", 0, "per-attempt probability of output that is not the JSON asked for")
	retryAfter := fs.Duration("retry-after", d.RetryAfter, "Retry-After-Ms sent with each 429")
	capacity := fs.Int("capacity", 0, "answer 429 to calls beyond this many in flight, as an overloaded backend does; 0: no limit")
	seed := fs.Uint64("seed", d.Seed, "seed of answers, faults and latencies (never of the ground truth)")
	return func() (sim.Config, error) {
		cfg := sim.Config{
			Latency:      sim.Latency{Dist: *dist, Base: *latency, Max: *latMax, Sigma: *sigma},
			Accuracy:     *acc,
			PositionBias: *bias,
			Certainty:    sim.Certainty{Exponent: *exp, Offset: *over, Noise: *noise},
			Rate429:      *r429, Rate500: *r500, RateMalformed: *rBad,
			RetryAfter: *retryAfter,
			Capacity:   *capacity,
			Seed:       *seed,
		}
		return cfg, cfg.Validate()
	}
}

func runSimGenerate(args []string) error {
	fs := flag.NewFlagSet("sim generate", flag.ContinueOnError)
	n := fs.Int("n", 1000, "number of items")
	out := fs.String("out", "items.jsonl", "output file (- for standard output)")
	seed := fs.Uint64("seed", 1, "seed of the items; the same seed writes the same file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 0 {
		return fmt.Errorf("--n must not be negative")
	}
	if *out == "-" {
		return sim.Generate(os.Stdout, *n, *seed)
	}
	if err := sim.GenerateFile(*out, *n, *seed); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %d labelled preference items to %s\n", *n, *out)
	return nil
}
