package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"github.com/personajudge/personajudge/eval"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/personajudge/personajudge/internal/sim"
)

func TestSimFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		args    []string
		want    func(sim.Config) bool
		wantErr string
	}{
		{"defaults", nil, func(c sim.Config) bool {
			return c.Accuracy == 0.85 && c.PositionBias == 0 && c.Certainty.Exponent == 1 && c.Latency.Base == 0 && c.Seed == 1
		}, ""},
		{"every knob", []string{"--latency", "100ms", "--latency-dist", "lognormal", "--latency-sigma", "0.3", "--accuracy", "0.7",
			"--position-bias", "0.3", "--overconfidence", "0.2", "--certainty-exponent", "0.5", "--certainty-noise", "0",
			"--rate-429", "0.05", "--rate-500", "0.02", "--rate-malformed", "0.02", "--retry-after", "5ms", "--capacity", "32", "--seed", "9"},
			func(c sim.Config) bool {
				return c.Latency == sim.Latency{Dist: "lognormal", Base: 100 * time.Millisecond, Sigma: 0.3} &&
					c.Accuracy == 0.7 && c.PositionBias == 0.3 && c.Certainty == sim.Certainty{Exponent: 0.5, Offset: 0.2} &&
					c.Rate429 == 0.05 && c.Rate500 == 0.02 && c.RateMalformed == 0.02 && c.RetryAfter == 5*time.Millisecond && c.Capacity == 32 && c.Seed == 9
			}, ""},
		{"bad distribution", []string{"--latency-dist", "pareto"}, nil, "fixed, uniform or lognormal"},
		{"rates above 1", []string{"--rate-429", "0.6", "--rate-500", "0.6"}, nil, "add up to"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			get := addSimFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			c, err := get()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !tc.want(c) {
				t.Fatalf("config %+v, err %v", c, err)
			}
		})
	}
}

// `sim` prints its base URL, answers there, and stops cleanly.
func TestServeSim(t *testing.T) {
	t.Parallel()
	h, err := sim.NewHandler(sim.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- serveSim(ctx, ln, h, pw, &stderr); pw.Close() }()
	first, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	base := strings.TrimSpace(strings.TrimPrefix(first, "judge simulator at "))
	if base != "http://"+ln.Addr().String()+"/v1" {
		t.Fatalf("first line %q", first)
	}
	resp, err := http.Post(base+"/chat/completions", "application/json", strings.NewReader(`{"messages":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("an empty prompt: status %d, want 400", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "1 calls") {
		t.Fatalf("final counts %q", stderr.String())
	}
}

func TestSimGenerate(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "items.jsonl")
	if err := runSimGenerate([]string{"--n", "25", "--out", out, "--seed", "3"}); err != nil {
		t.Fatal(err)
	}
	todo, err := eval.CheckDataset(out) // eval reads what generate writes
	if err != nil || todo != 25 {
		t.Fatalf("eval reads %d items, err %v", todo, err)
	}
	var labelled int
	err = eval.ReadDataset(out, func(it eval.Item) error {
		p := it.Request.GetPreference()
		if it.Label != nil && int(it.Label.GetChoice()) == sim.Better(p.Persona, p.Query, p.ResponseA, p.ResponseB) {
			labelled++
		}
		return nil
	})
	if err != nil || labelled != 25 {
		t.Fatalf("%d of 25 items labelled with the ground truth, err %v", labelled, err)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("stat %v, %v", fi, err)
	}
}
