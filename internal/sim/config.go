// Package sim is a simulated preference judge behind an OpenAI-compatible
// chat-completions endpoint, for demos, load tests and benchmarks. It reads
// PersonaJudge's preference prompts the way a model would see them, and
// answers with knobs a real model does not give: a known ground truth per
// item, a set accuracy, position bias, a certainty distortion, latency and
// fault rates. It is never a default backend: something has to start it and
// point a model's base_url at it.
//
// # Ground truth
//
// An item is the persona, the query and the unordered pair of responses
// (each trimmed of surrounding space). Their SHA-256 digest (ItemKey) decides
// which response is better, so the truth does not depend on the order the
// responses are shown in, nor on the simulator's seed; Better tells the
// dataset generator the label.
//
// # Answers
//
// Each item also has a difficulty: the probability p that a content-reading
// judge gets it right, drawn uniformly from an interval centred on Accuracy
// (width 2·min(|a-½|, a, 1-a)), so p averages Accuracy over items and
// stays on Accuracy's side of chance. One call then answers the first label
// shown with probability PositionBias whatever the content ("positional"),
// and otherwise the better response with probability p.
//
// # Certainty
//
// The probability that a single-order answer on the item is right, averaged
// over both orders, is q = (1-b)·p + b/2. The simulator states
//
//	c = 1 + round(99 · clamp(e^Exponent + Offset + Noise·N(0,1), 0, 1)),  e = clamp(2q-1, 0, 1)
//
// With Exponent 1, Offset 0 and Noise 0, c is calibrated under the
// service's identity map p = ½ + ½(c-1)/99; Exponent < 1 or Offset > 0 states
// too much certainty (overconfidence), Exponent > 1 or Offset < 0 too little.
// Positional answers state the same certainty as content answers: like a
// real biased model, the judge does not know it went by position.
//
// # Randomness
//
// Nothing is drawn from a shared stream, so results do not depend on call
// order or concurrency. Each call seeds a PCG from SHA-256 of (Seed, item,
// the order shown, the sample index from the request's seed field) for its
// answer, and from the same plus (re-ask count, HTTP retry count) for its
// faults and latency. A retried or re-asked call can therefore fail
// differently, but the answer it finally gives is the one it would have
// given without faults. The retry count is read from the
// X-Stainless-Retry-Count header the OpenAI SDKs send; a client without it
// meets the same fault on every retry of an identical request. Capacity
// (429 beyond N calls in flight) is the one knob that depends on timing.
package sim

import (
	"errors"
	"fmt"
	"time"
)

// Config holds the simulator's knobs.
type Config struct {
	// Latency is how long a call takes before it is answered (200s and
	// 500s; a 429 is answered at once, as a rate limiter does).
	Latency Latency
	// Accuracy is the probability, averaged over items, that an unbiased
	// call answers the better response.
	Accuracy float64
	// PositionBias is the probability that a call answers the first label
	// shown regardless of content.
	PositionBias float64
	// Certainty is the certainty distortion model.
	Certainty Certainty
	// Rate429, Rate500 and RateMalformed are per-attempt probabilities of a
	// 429 (with Retry-After-Ms), a 500, and a 200 whose content is not the
	// JSON object asked for.
	Rate429, Rate500, RateMalformed float64
	// RetryAfter is sent as Retry-After-Ms with every 429.
	RetryAfter time.Duration
	// Capacity, when above zero, answers 429 to any call that arrives while
	// Capacity calls are already in flight: a backend that sheds load, for
	// exercising adaptive client limits. Unlike the rates it depends on
	// timing, so it is not deterministic.
	Capacity int
	// Seed varies answers, faults and latencies; never the ground truth.
	Seed uint64
}

// Certainty distorts the stated certainty; see the package doc.
type Certainty struct {
	// Exponent applied to the excess over chance e in 0..1: below 1 states
	// too much certainty, above 1 too little. Must be above 0.
	Exponent float64
	// Offset added to e^Exponent: positive states too much certainty.
	Offset float64
	// Noise is the standard deviation of Gaussian noise added to it.
	Noise float64
}

// DefaultConfig is a fast, reliable, fairly accurate and calibrated judge.
func DefaultConfig() Config {
	return Config{
		Accuracy:   0.85,
		Certainty:  Certainty{Exponent: 1, Noise: 0.05},
		RetryAfter: 100 * time.Millisecond,
		Seed:       1,
	}
}

// Validate checks every knob's range.
func (c Config) Validate() error {
	var errs []error
	prob := func(name string, v float64) {
		if !(v >= 0 && v <= 1) {
			errs = append(errs, fmt.Errorf("%s must be within 0..1, got %v", name, v))
		}
	}
	prob("accuracy", c.Accuracy)
	prob("position bias", c.PositionBias)
	prob("429 rate", c.Rate429)
	prob("500 rate", c.Rate500)
	prob("malformed rate", c.RateMalformed)
	if s := c.Rate429 + c.Rate500 + c.RateMalformed; s > 1 {
		errs = append(errs, fmt.Errorf("the fault rates add up to %v, more than 1", s))
	}
	if !(c.Certainty.Exponent > 0) {
		errs = append(errs, fmt.Errorf("certainty exponent must be above 0, got %v", c.Certainty.Exponent))
	}
	if !(c.Certainty.Offset >= -1 && c.Certainty.Offset <= 1) {
		errs = append(errs, fmt.Errorf("certainty offset must be within -1..1, got %v", c.Certainty.Offset))
	}
	if !(c.Certainty.Noise >= 0 && c.Certainty.Noise <= 1) {
		errs = append(errs, fmt.Errorf("certainty noise must be within 0..1, got %v", c.Certainty.Noise))
	}
	if c.Capacity < 0 {
		errs = append(errs, errors.New("capacity must not be negative"))
	}
	if c.RetryAfter < 0 {
		errs = append(errs, errors.New("retry-after must not be negative"))
	}
	if err := c.Latency.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
