package main

import (
	"strings"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

func TestEvalFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
		check   func(t *testing.T, o evalOptions)
	}{
		{"order and cache overrides", []string{"--in", "i", "--out", "o", "--order-policy", "single", "--cache", "bypass"}, "", func(t *testing.T, o evalOptions) {
			if o.cfg.OrderPolicy != pb.OrderPolicy_ORDER_POLICY_SINGLE || o.cfg.Cache != pb.CachePolicy_CACHE_POLICY_BYPASS {
				t.Errorf("order %v cache %v", o.cfg.OrderPolicy, o.cfg.Cache)
			}
		}},
		{"simulator flags with --local", []string{"--local", "--in", "i", "--out", "o", "--accuracy", "0.7", "--latency-dist", "uniform", "--latency", "1ms", "--latency-max", "3ms"}, "", func(t *testing.T, o evalOptions) {
			if o.localOpts.sim.Accuracy != 0.7 || o.localOpts.sim.Latency.Max.Milliseconds() != 3 {
				t.Errorf("sim config %+v", o.localOpts.sim)
			}
		}},
		{"in and out required", []string{"--in", "i"}, "required", nil},
		{"unknown order policy", []string{"--in", "i", "--out", "o", "--order-policy", "random"}, "unknown value", nil},
		{"unspecified is not a choice", []string{"--in", "i", "--out", "o", "--cache", "unspecified"}, "unknown value", nil},
		{"simulator flags need --local", []string{"--in", "i", "--out", "o", "--rate-429", "0.1"}, "--rate-429 only apply with --local", nil},
		{"simulator flags clash with --models", []string{"--local", "--models", "m.json", "--in", "i", "--out", "o", "--accuracy", "0.7"}, "--accuracy", nil},
		{"--db needs --local", []string{"--db", "x.db", "--in", "i", "--out", "o"}, "--db", nil},
		{"bad simulator config", []string{"--local", "--in", "i", "--out", "o", "--accuracy", "2"}, "accuracy must be within", nil},
		{"bad progress", []string{"--in", "i", "--out", "o", "--progress", "fancy"}, "--progress", nil},
		{"fail-on rules", []string{"--in", "i", "--out", "o", "--fail-on", "judge_error_rate>0.02,accuracy<0.8"}, "", func(t *testing.T, o evalOptions) {
			if len(o.gates) != 2 || o.gates[1].String() != "accuracy<0.8" {
				t.Errorf("gates %v", o.gates)
			}
		}},
		{"fail-on unknown metric", []string{"--in", "i", "--out", "o", "--fail-on", "acuracy<0.8"}, `--fail-on: rule "acuracy<0.8": unknown metric`, nil},
		{"fail-on malformed threshold", []string{"--in", "i", "--out", "o", "--fail-on", "accuracy<0.8x"}, `threshold "0.8x" is not a number`, nil},
		{"stop-after-errors 0 is never", []string{"--in", "i", "--out", "o", "--stop-after-errors", "0"}, "", func(t *testing.T, o evalOptions) {
			if o.cfg.StopAfterErrors >= 0 {
				t.Errorf("StopAfterErrors %d, want negative (never)", o.cfg.StopAfterErrors)
			}
		}},
		{"--report names the HTML page", []string{"--in", "i", "--out", "o", "--report", "r.html"}, "", func(t *testing.T, o evalOptions) {
			if o.html != "r.html" {
				t.Errorf("html %q", o.html)
			}
		}},
		{"stop-after-errors negative", []string{"--in", "i", "--out", "o", "--stop-after-errors", "-1"}, "--stop-after-errors", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o, err := parseEvalFlags(tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, o)
		})
	}
}
