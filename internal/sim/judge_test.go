package sim

import (
	"math"
	"slices"
	"testing"
	"time"
)

// calls shows n generated items, each in both orders.
func calls(n int) []Call {
	g := NewGenerator(11)
	out := make([]Call, 0, 2*n)
	for range n {
		p := g.Next().Request.GetPreference()
		out = append(out,
			Call{Persona: p.Persona, Query: p.Query, First: p.ResponseA, Second: p.ResponseB},
			Call{Persona: p.Persona, Query: p.Query, First: p.ResponseB, Second: p.ResponseA})
	}
	return out
}

func mustSim(t *testing.T, cfg Config) *Sim {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tally is what a batch of decisions measured.
type tally struct {
	n                          int
	correct, first, positional int
	r429, r500, malformed      int
	statedSum                  float64 // identity-map probability of the readable answers
}

func measure(s *Sim, cs []Call) tally {
	var t tally
	for _, c := range cs {
		d := s.Decide(c)
		t.n++
		switch d.Fault {
		case Fault429:
			t.r429++
		case Fault500:
			t.r500++
		case FaultMalformed:
			t.malformed++
		}
		if d.Correct {
			t.correct++
		}
		if d.Label == "A" {
			t.first++
		}
		if d.Positional {
			t.positional++
		}
		t.statedSum += StatedProbability(d.Certainty)
	}
	return t
}

func (t tally) rate(k int) float64 { return float64(k) / float64(t.n) }

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

// Each knob moves what it says it moves, measured over 4,000 deterministic
// draws (2,000 items in both orders). Tolerances are about five standard
// errors, and the draws are fixed, so these never flake.
func TestKnobs(t *testing.T) {
	t.Parallel()
	cs := calls(2000)
	base := Config{Accuracy: 0.8, Certainty: Certainty{Exponent: 1}, Seed: 1}
	for _, tc := range []struct {
		name  string
		mod   func(*Config)
		check func(t *testing.T, m tally)
	}{
		{"accuracy 0.8", func(*Config) {}, func(t *testing.T, m tally) {
			if !near(m.rate(m.correct), 0.8, 0.03) {
				t.Errorf("accuracy %.3f, want 0.8", m.rate(m.correct))
			}
			if !near(m.rate(m.first), 0.5, 0.04) {
				t.Errorf("first label picked %.3f, want about 0.5 without bias", m.rate(m.first))
			}
		}},
		{"accuracy 0.6", func(c *Config) { c.Accuracy = 0.6 }, func(t *testing.T, m tally) {
			if !near(m.rate(m.correct), 0.6, 0.03) {
				t.Errorf("accuracy %.3f, want 0.6", m.rate(m.correct))
			}
		}},
		{"accuracy 1", func(c *Config) { c.Accuracy = 1 }, func(t *testing.T, m tally) {
			if m.correct != m.n {
				t.Errorf("%d of %d correct, want all", m.correct, m.n)
			}
		}},
		{"position bias 1", func(c *Config) { c.PositionBias = 1 }, func(t *testing.T, m tally) {
			if m.first != m.n || m.positional != m.n {
				t.Errorf("first label %d, positional %d of %d; want all", m.first, m.positional, m.n)
			}
			if !near(m.rate(m.correct), 0.5, 0.04) {
				t.Errorf("accuracy %.3f, want chance", m.rate(m.correct))
			}
		}},
		{"position bias 0.3", func(c *Config) { c.PositionBias = 0.3; c.Accuracy = 1 }, func(t *testing.T, m tally) {
			// 0.3 by position, half of them right; 0.7 by content, all right.
			if !near(m.rate(m.positional), 0.3, 0.03) || !near(m.rate(m.first), 0.65, 0.03) || !near(m.rate(m.correct), 0.85, 0.03) {
				t.Errorf("positional %.3f first %.3f correct %.3f, want 0.3, 0.65, 0.85",
					m.rate(m.positional), m.rate(m.first), m.rate(m.correct))
			}
		}},
		{"fault rates", func(c *Config) { c.Rate429, c.Rate500, c.RateMalformed = 0.05, 0.02, 0.02 }, func(t *testing.T, m tally) {
			if !near(m.rate(m.r429), 0.05, 0.02) || !near(m.rate(m.r500), 0.02, 0.012) || !near(m.rate(m.malformed), 0.02, 0.012) {
				t.Errorf("429 %.3f 500 %.3f malformed %.3f, want 0.05, 0.02, 0.02", m.rate(m.r429), m.rate(m.r500), m.rate(m.malformed))
			}
			if !near(m.rate(m.correct), 0.8, 0.03) {
				t.Errorf("faults changed the answers: accuracy %.3f", m.rate(m.correct))
			}
		}},
		{"no faults", func(*Config) {}, func(t *testing.T, m tally) {
			if m.r429+m.r500+m.malformed != 0 {
				t.Errorf("%d faults at zero rates", m.r429+m.r500+m.malformed)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := base
			tc.mod(&cfg)
			tc.check(t, measure(mustSim(t, cfg), cs))
		})
	}
}

// The certainty model: calibrated at exponent 1 and offset 0, and
// systematically off in the documented direction otherwise.
func TestCertaintyDistortion(t *testing.T) {
	t.Parallel()
	cs := calls(2000)
	for _, tc := range []struct {
		name string
		c    Certainty
		bias float64
		// gap is the mean stated probability minus the observed accuracy.
		minGap, maxGap float64
	}{
		{"calibrated", Certainty{Exponent: 1}, 0, -0.02, 0.02},
		{"calibrated with position bias", Certainty{Exponent: 1}, 0.3, -0.02, 0.02},
		{"calibrated with noise", Certainty{Exponent: 1, Noise: 0.05}, 0, -0.02, 0.02},
		{"offset +0.3 overconfident", Certainty{Exponent: 1, Offset: 0.3}, 0, 0.08, 0.16},
		{"offset -0.3 underconfident", Certainty{Exponent: 1, Offset: -0.3}, 0, -0.16, -0.08},
		{"exponent 0.3 overconfident", Certainty{Exponent: 0.3}, 0, 0.08, 0.25},
		{"exponent 3 underconfident", Certainty{Exponent: 3}, 0, -0.3, -0.08},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := mustSim(t, Config{Accuracy: 0.8, PositionBias: tc.bias, Certainty: tc.c, Seed: 1})
			m := measure(s, cs)
			gap := m.statedSum/float64(m.n) - m.rate(m.correct)
			if gap < tc.minGap || gap > tc.maxGap {
				t.Fatalf("stated minus observed = %.3f, want within %.2f..%.2f", gap, tc.minGap, tc.maxGap)
			}
		})
	}
}

// Stated certainty follows the item's difficulty: in a calibrated judge,
// answers stated above the median are right more often than those below.
func TestCertaintyIsInformative(t *testing.T) {
	t.Parallel()
	s := mustSim(t, Config{Accuracy: 0.75, Certainty: Certainty{Exponent: 1}, Seed: 1})
	var ds []Decision
	var cert []int
	for _, c := range calls(2000) {
		d := s.Decide(c)
		ds = append(ds, d)
		cert = append(cert, d.Certainty)
	}
	sorted := slices.Clone(cert)
	slices.Sort(sorted)
	median := sorted[len(sorted)/2]
	var hiN, hiOK, loN, loOK int
	for _, d := range ds {
		if d.Certainty > median {
			hiN++
			if d.Correct {
				hiOK++
			}
		} else {
			loN++
			if d.Correct {
				loOK++
			}
		}
	}
	hi, lo := float64(hiOK)/float64(hiN), float64(loOK)/float64(loN)
	if hi-lo < 0.1 {
		t.Fatalf("accuracy above median certainty %.3f, below %.3f: certainty carries no signal", hi, lo)
	}
}

func TestDecideIsDeterministic(t *testing.T) {
	t.Parallel()
	cfg := Config{Accuracy: 0.7, PositionBias: 0.2, Certainty: Certainty{Exponent: 1, Noise: 0.1},
		Rate429: 0.1, Rate500: 0.1, RateMalformed: 0.1, Latency: Latency{Dist: LatencyLognormal, Base: time.Millisecond, Sigma: 0.5}, Seed: 5}
	a, b := mustSim(t, cfg), mustSim(t, cfg)
	cfg.Seed = 6
	other := mustSim(t, cfg)
	differ := 0
	for _, c := range calls(500) {
		// The same Sim asked twice, and a twin Sim, answer alike.
		if d := a.Decide(c); d != b.Decide(c) || d != a.Decide(c) {
			t.Fatalf("same call, different decisions: %+v", c)
		}
		if a.Decide(c) != other.Decide(c) {
			differ++
		}
	}
	if differ < 100 {
		t.Fatalf("changing the seed changed only %d of 1000 decisions", differ)
	}
}

// Retries and re-asks draw new faults, but the answer is the item's: a
// fault never changes what the judge eventually says.
func TestRetriesKeepTheAnswer(t *testing.T) {
	t.Parallel()
	s := mustSim(t, Config{Accuracy: 0.7, PositionBias: 0.2, Certainty: Certainty{Exponent: 1, Noise: 0.1}, Rate429: 0.3, Rate500: 0.2, Seed: 1})
	faultsDiffer := 0
	for _, c := range calls(300) {
		d0 := s.Decide(c)
		for _, try := range []struct{ reask, attempt int }{{0, 1}, {0, 2}, {1, 0}, {2, 3}} {
			c2 := c
			c2.Reask, c2.Attempt = try.reask, try.attempt
			d := s.Decide(c2)
			if d.Label != d0.Label || d.Certainty != d0.Certainty {
				t.Fatalf("retry %+v changed the answer: %+v vs %+v", try, d, d0)
			}
			if d.Fault != d0.Fault {
				faultsDiffer++
			}
		}
	}
	if faultsDiffer == 0 {
		t.Fatal("retries always met the same fault")
	}
	// A different sample is a different draw of the answer.
	labelsDiffer := 0
	for _, c := range calls(300) {
		c2 := c
		c2.Sample = 1
		if s.Decide(c).Label != s.Decide(c2).Label {
			labelsDiffer++
		}
	}
	if labelsDiffer == 0 {
		t.Fatal("sample index never changed the answer")
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	cs := calls(1000)
	for _, tc := range []struct {
		name  string
		l     Latency
		check func(ds []time.Duration) bool
	}{
		{"zero", Latency{}, func(ds []time.Duration) bool { return ds[0] == 0 && ds[len(ds)-1] == 0 }},
		{"fixed", Latency{Base: 100 * time.Millisecond}, func(ds []time.Duration) bool {
			return ds[0] == 100*time.Millisecond && ds[len(ds)-1] == 100*time.Millisecond
		}},
		{"uniform", Latency{Dist: LatencyUniform, Base: 10 * time.Millisecond, Max: 30 * time.Millisecond}, func(ds []time.Duration) bool {
			med := ds[len(ds)/2]
			return ds[0] >= 10*time.Millisecond && ds[len(ds)-1] <= 30*time.Millisecond && med > 18*time.Millisecond && med < 22*time.Millisecond
		}},
		{"lognormal", Latency{Dist: LatencyLognormal, Base: 100 * time.Millisecond, Sigma: 0.5}, func(ds []time.Duration) bool {
			med, p95 := ds[len(ds)/2], ds[len(ds)*95/100]
			return med > 92*time.Millisecond && med < 108*time.Millisecond && p95 > 190*time.Millisecond && p95 < 260*time.Millisecond
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := mustSim(t, Config{Accuracy: 0.8, Certainty: Certainty{Exponent: 1}, Latency: tc.l})
			var ds []time.Duration
			for _, c := range cs {
				ds = append(ds, s.Decide(c).Latency)
			}
			slices.Sort(ds)
			if !tc.check(ds) {
				t.Fatalf("latencies min %v median %v p95 %v max %v", ds[0], ds[len(ds)/2], ds[len(ds)*95/100], ds[len(ds)-1])
			}
		})
	}
	// A 429 is answered at once, whatever the latency.
	s := mustSim(t, Config{Accuracy: 0.8, Certainty: Certainty{Exponent: 1}, Rate429: 1, Latency: Latency{Base: time.Second}})
	if d := s.Decide(cs[0]); d.Fault != Fault429 || d.Latency != 0 {
		t.Fatalf("429 decision %+v, want no latency", d)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	ok := DefaultConfig()
	if err := ok.Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
	for _, tc := range []struct {
		name string
		mod  func(*Config)
	}{
		{"accuracy above 1", func(c *Config) { c.Accuracy = 1.1 }},
		{"negative bias", func(c *Config) { c.PositionBias = -0.1 }},
		{"fault rates above 1 together", func(c *Config) { c.Rate429, c.Rate500, c.RateMalformed = 0.5, 0.4, 0.2 }},
		{"exponent 0", func(c *Config) { c.Certainty.Exponent = 0 }},
		{"offset 2", func(c *Config) { c.Certainty.Offset = 2 }},
		{"unknown distribution", func(c *Config) { c.Latency.Dist = "pareto" }},
		{"uniform max below min", func(c *Config) { c.Latency = Latency{Dist: LatencyUniform, Base: time.Second} }},
		{"negative latency", func(c *Config) { c.Latency.Base = -time.Second }},
		{"NaN accuracy", func(c *Config) { c.Accuracy = math.NaN() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := DefaultConfig()
			tc.mod(&c)
			if _, err := New(c); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}
