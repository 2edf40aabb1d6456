package sim

import (
	"math"
	"time"

	"github.com/personajudge/personajudge/calibration"
)

// Fault is what goes wrong with a call, if anything.
type Fault int

const (
	// FaultNone: a readable answer.
	FaultNone Fault = iota
	// Fault429: HTTP 429 with Retry-After-Ms.
	Fault429
	// Fault500: HTTP 500.
	Fault500
	// FaultMalformed: HTTP 200 whose content is not the JSON asked for.
	FaultMalformed
)

func (f Fault) String() string {
	return [...]string{"none", "429", "500", "malformed"}[f]
}

// Call is one judge call as the simulator sees it: the item, the order it
// is shown in, and which try this is.
type Call struct {
	Persona, Query string
	// First and Second are the responses shown as A and B.
	First, Second string
	// Sample is the sample index (the request's seed field).
	Sample int64
	// Reask counts the re-asks already in the conversation.
	Reask int
	// Attempt counts HTTP retries of this request, from 0.
	Attempt int
}

// Decision is the simulator's answer to a call.
type Decision struct {
	Fault   Fault
	Latency time.Duration
	// Label is "A" or "B", the label shown that the call picks.
	Label string
	// Certainty is the stated certainty, 1..100.
	Certainty int
	// Correct says whether Label shows the better response.
	Correct bool
	// Positional says the call answered by position, not content.
	Positional bool
}

// Sim decides calls. It holds no state, so it is safe for concurrent use.
type Sim struct {
	cfg Config
}

// New checks the configuration and returns a simulator.
func New(cfg Config) (*Sim, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Sim{cfg: cfg}, nil
}

// Config is the simulator's configuration.
func (s *Sim) Config() Config { return s.cfg }

// Decide answers one call; the same call always gets the same decision.
func (s *Sim) Decide(c Call) Decision {
	k := ItemKey(c.Persona, c.Query, c.First, c.Second)
	_, hi := ordered(c.First, c.Second)
	order := uint64(0)
	if hi == c.First && hi != c.Second {
		order = 1
	}
	seed, sample := u64(s.cfg.Seed), u64(uint64(c.Sample))

	var d Decision
	fr := rng(seed, k[:], []byte("fault"), u64(order), sample, u64(uint64(c.Reask)), u64(uint64(c.Attempt)))
	switch u := fr.Float64(); {
	case u < s.cfg.Rate429:
		d.Fault = Fault429
	case u < s.cfg.Rate429+s.cfg.Rate500:
		d.Fault = Fault500
	case u < s.cfg.Rate429+s.cfg.Rate500+s.cfg.RateMalformed:
		d.Fault = FaultMalformed
	}
	if d.Fault != Fault429 {
		d.Latency = s.cfg.Latency.Sample(fr)
	}

	ar := rng(seed, k[:], []byte("answer"), u64(order), sample)
	truth := Better(c.Persona, c.Query, c.First, c.Second) // 0: First is better
	p := difficulty(k, s.cfg.Accuracy)
	pick := truth
	if ar.Float64() < s.cfg.PositionBias {
		pick, d.Positional = 0, true
	} else if ar.Float64() >= p {
		pick = 1 - truth
	}
	d.Label = [2]string{"A", "B"}[pick]
	d.Correct = pick == truth
	q := (1-s.cfg.PositionBias)*p + s.cfg.PositionBias/2
	d.Certainty = s.cfg.Certainty.state(q, ar.NormFloat64())
	return d
}

// state is the certainty stated for a true probability q of being right on
// a two-way choice, given a standard normal draw z (see the package doc).
// The last step, calibration.StatedCertainty, turns a stated excess over
// chance in 0..1 into a certainty in 1..100.
func (m Certainty) state(q, z float64) int {
	e := clamp01(2*q - 1)
	return calibration.StatedCertainty(math.Pow(e, m.Exponent) + m.Offset + m.Noise*z)
}

func clamp01(x float64) float64 { return min(max(x, 0), 1) }

// StatedProbability is the probability the service's identity map reads
// into a stated certainty c on a two-way choice.
func StatedProbability(c int) float64 { return calibration.IdentityProbability(float64(c), 2) }
