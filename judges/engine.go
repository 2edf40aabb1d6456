// Package judges renders judge prompts, reads the answers, and runs every
// judgment position-fair: the options are shown in several orders
// concurrently, each answer is mapped back to canonical options, and the
// votes are aggregated with their disagreement reported.
package judges

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/personajudge/personajudge/calibration"
	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Parsed is one call's answer, already mapped to canonical options.
type Parsed struct {
	Answer    *pb.Answer
	Certainty float64 // stated certainty, 1..100
	Rationale string
	Repaired  bool
}

// Outcome is a judge's aggregate over valid votes.
type Outcome struct {
	Status  pb.JudgmentStatus
	Verdict *pb.Verdict
	Reason  string
	// Code says machine-readably why the outcome is not a plain verdict;
	// TieSource, for a tie verdict, whether the judge stated it.
	Code         pb.ReasonCode
	TieSource    pb.TieSource
	Distribution []float64
	Consistency  float64
	// ScoreSpread is, for rubric scores, how far apart the orders' scores are.
	ScoreSpread float64
}

// Task is one item of one judge kind, ready to be judged.
type Task interface {
	// Kind names the judge ("preference", ...), the first part of a profile.
	Kind() string
	// PromptVersion changes whenever prompt or parsing changes meaning, so
	// calibrators fitted on older prompts are not reused.
	PromptVersion() string
	// Orders lists the orders the options are shown in under a policy;
	// order[i] is the canonical option (or rubric level) shown at position i.
	Orders(policy pb.OrderPolicy) [][]int
	// Untrusted lists every caller-supplied text, so the fence avoids them.
	Untrusted() []string
	// Prompt renders the system and user messages for one order.
	Prompt(order []int, f Fence) (system, user string)
	// Schema is the strict JSON schema of the answer.
	Schema() *clients.Schema
	// Parse reads one output shown in the given order.
	Parse(content string, order []int) (Parsed, error)
	// Aggregate turns the valid votes (every model complete) into an outcome.
	Aggregate(votes []*pb.Vote) Outcome
	// Digest is the item's identity: a digest of the task's inputs and of
	// every option that changes its prompt, never of the caller's item id.
	// The response cache, outcomes and resume all key on it.
	Digest() string
	// Labels says what a true answer to the task looks like, so a label can
	// be checked against the judgment it labels.
	Labels() LabelSpace
}

// LabelSpace is the set of answers a label of a task may give.
type LabelSpace struct {
	// Options is how many options a choice label picks among (0 for rubric
	// scores).
	Options int
	// Tie: a tie is a possible truth (pairwise preference).
	Tie bool
	// Rubric: the label is a rubric score.
	Rubric bool
}

// Config is how to judge, resolved from the request and server defaults.
type Config struct {
	Models      []string
	Policy      pb.OrderPolicy
	Samples     int
	Temperature float64
	// Cache says how the response cache is used.
	Cache pb.CachePolicy
	// MinCalibratedProbability turns a calibrated verdict below it into
	// ABSTAIN; 0 keeps every verdict.
	MinCalibratedProbability float64
	// TargetPrecision is the precision high certainty is certified at, in
	// (0.5, 1); 0 means the target the profile's calibrator was fitted for.
	TargetPrecision float64
}

// Profile names a judge profile: kind, model(s), prompt version (which
// says whether ties may be answered), order policy, and every other setting
// that changes what a stated certainty means: a temperature above 0
// ("/t0.7") and more than one sample per order ("/s3"). Calibrators are
// fitted per profile. The defaults add nothing, so profiles judged with
// them keep their names.
func Profile(t Task, cfg Config) string {
	p := fmt.Sprintf("%s/%s/%s/%s", t.Kind(), strings.Join(cfg.Models, "+"), t.PromptVersion(), PolicyName(cfg.Policy))
	if cfg.Temperature != 0 {
		p += "/t" + strconv.FormatFloat(cfg.Temperature, 'g', -1, 64)
	}
	if cfg.Samples > 1 {
		p += "/s" + strconv.Itoa(cfg.Samples)
	}
	return p
}

// ErrUnreachable wraps the error returned when no model could be reached at
// all, which the server answers with Unavailable instead of a judgment.
var ErrUnreachable = errors.New("judge backend unreachable")

// Judge runs every (model, order, sample) call concurrently, aggregates,
// and applies the profile's active calibrator. It returns an error only
// when the caller went away, no backend could be reached, or the
// calibrator could not be loaded (ErrCalibratorUnavailable); every other
// fault is reported inside the judgment.
func (e *Engine) Judge(ctx context.Context, t Task, cfg Config) (*Judgment, error) {
	orders := t.Orders(cfg.Policy)
	fence := NewFence(t.Untrusted()...)
	samples := max(cfg.Samples, 1)
	profile := Profile(t, cfg)
	// A minimum or a target without a calibrator would be silently
	// ignored: refuse it before any call is paid for.
	if cfg.MinCalibratedProbability > 0 {
		if err := e.requireCalibrator(ctx, profile, "judge.min_calibrated_probability"); err != nil {
			return nil, err
		}
	}
	if cfg.TargetPrecision != 0 {
		if !(cfg.TargetPrecision > 0.5 && cfg.TargetPrecision < 1) {
			return nil, fmt.Errorf("target precision %v is not in (0.5, 1)", cfg.TargetPrecision) // validated earlier
		}
		if err := e.requireCalibrator(ctx, profile, "judge.target_precision"); err != nil {
			return nil, err
		}
	}

	n := len(cfg.Models) * len(orders) * samples
	votes := make([]*pb.Vote, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	i := 0
	for _, name := range cfg.Models {
		model, ok := e.models.Get(name)
		if !ok {
			return nil, fmt.Errorf("unknown model %q", name) // validated earlier
		}
		for _, order := range orders {
			for s := range samples {
				idx := i
				i++
				wg.Go(func() {
					votes[idx], errs[idx] = e.safeVote(ctx, profile, model, t, order, s, fence, cfg)
					recordVote(ctx, votes[idx])
				})
			}
		}
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if allUnreachable(errs) {
		return nil, fmt.Errorf("%w: %w", ErrUnreachable, errs[0])
	}
	j := assemble(t, cfg, profile, votes, errs)
	if err := e.calibrate(ctx, j, cfg); err != nil {
		return nil, err
	}
	return j, nil
}

// safeVote is cachedVote with a panic (a parser bug, say) turned into a
// failed vote of this item instead of a crashed server.
func (e *Engine) safeVote(ctx context.Context, profile string, m *clients.Model, t Task, order []int, sample int, f Fence, cfg Config) (v *pb.Vote, err error) {
	defer func() {
		if p := recover(); p != nil {
			v = newVote(m, order, sample)
			v.ParseStatus = pb.ParseStatus_PARSE_STATUS_FAILED
			v.Error = "internal error while judging"
			err = nil
			e.log.Error("judge call panicked", "model", m.Name(), "panic", p)
		}
	}()
	return e.cachedVote(ctx, profile, m, t, order, sample, f, cfg)
}

func allUnreachable(errs []error) bool {
	for _, err := range errs {
		if !clients.IsUnreachable(err) {
			return false
		}
	}
	return len(errs) > 0
}

// cachedVote answers a call from the cache when the policy allows, makes
// identical calls in flight once, and caches answers that were read.
func (e *Engine) cachedVote(ctx context.Context, profile string, m *clients.Model, t Task, order []int, sample int, f Fence, cfg Config) (*pb.Vote, error) {
	if e.cache == nil || cfg.Cache == pb.CachePolicy_CACHE_POLICY_BYPASS {
		return e.vote(ctx, m, t, order, sample, f, cfg)
	}
	key := callKey(profile, t.Digest(), m, order, sample, cfg.Temperature)
	if cfg.Cache != pb.CachePolicy_CACHE_POLICY_REFRESH {
		// A cache read failure only costs a call; it never fails the vote.
		if cr, ok, err := e.cache.GetResponse(ctx, key); err == nil && ok {
			if p, perr := t.Parse(cr.Content, order); perr == nil {
				v := newVote(m, order, sample)
				v.RawAnswer = cr.Content
				fillParsed(v, p, false)
				v.AnswerProbability = cr.AnswerProbability
				v.CacheHit = true
				v.Usage.CacheHits = 1
				v.Latency = durationpb.New(0)
				v.QueueWait = durationpb.New(0)
				v.CallLatency = durationpb.New(0)
				traceCacheHit(ctx, v)
				return v, nil
			}
		}
	}
	v, err, shared := e.sharedCall(ctx, key, func() (*pb.Vote, error) {
		v, err := e.vote(ctx, m, t, order, sample, f, cfg)
		if err == nil && valid(v) {
			// Written even if this caller leaves: the call was paid for.
			_ = e.cache.PutResponse(context.WithoutCancel(ctx), key, clients.CachedResponse{
				Content: v.RawAnswer, PromptTokens: v.Usage.PromptTokens, CompletionTokens: v.Usage.CompletionTokens,
				AnswerProbability: v.AnswerProbability,
			})
		}
		return v, err
	})
	if v == nil {
		// The caller left while the shared call was in flight, or the call
		// panicked (logged by sharedCall).
		v = newVote(m, order, sample)
		v.ParseStatus = pb.ParseStatus_PARSE_STATUS_TRANSPORT_ERROR
		v.Error = "internal error while judging"
		if ctx.Err() != nil {
			v.Error = "the caller went away before the call finished"
		}
		return v, err
	}
	if shared {
		v = cachedVote(v)
	}
	return v, err
}

func newVote(m *clients.Model, order []int, sample int) *pb.Vote {
	v := &pb.Vote{Model: m.Name(), SampleIndex: int32(sample), Usage: &pb.Usage{}}
	for _, o := range order {
		v.ShownOrder = append(v.ShownOrder, int32(o))
	}
	return v
}

func fillParsed(v *pb.Vote, p Parsed, reasked bool) {
	v.MappedAnswer = p.Answer
	v.Certainty = calibration.NormalizeCertainty(p.Certainty)
	v.Rationale = p.Rationale
	v.ParseStatus = pb.ParseStatus_PARSE_STATUS_OK
	if p.Repaired || reasked {
		v.ParseStatus = pb.ParseStatus_PARSE_STATUS_REPAIRED
	}
}

// vote makes one judge call, re-asking a bounded number of times when the
// output cannot be read. The returned error is the transport error, if any.
func (e *Engine) vote(ctx context.Context, m *clients.Model, t Task, order []int, sample int, f Fence, cfg Config) (*pb.Vote, error) {
	system, user := t.Prompt(order, f)
	v := newVote(m, order, sample)
	msgs := []clients.Message{{Role: "system", Content: system}, {Role: "user", Content: user}}
	seed := int64(sample)
	start := time.Now()
	// Queue wait and call time are kept apart so a slow vote says whether
	// the server's own queue or the backend was slow.
	var queueWait, callLatency time.Duration
	defer func() {
		v.Latency = durationpb.New(time.Since(start))
		v.QueueWait = durationpb.New(queueWait)
		v.CallLatency = durationpb.New(callLatency)
	}()
	for attempt := 0; ; attempt++ {
		called := time.Now()
		res, err := m.Complete(ctx, clients.Request{Messages: msgs, Schema: t.Schema(), Temperature: cfg.Temperature, Seed: &seed})
		if err != nil {
			var ce *clients.CallError
			if errors.As(err, &ce) {
				v.Usage.LlmCalls += ce.Attempts
				queueWait += ce.QueueWait
				callLatency += time.Since(called) - ce.QueueWait
			}
			v.ParseStatus = pb.ParseStatus_PARSE_STATUS_TRANSPORT_ERROR
			// The caller sees the kind of fault, never the backend's address;
			// the full error is logged with the model's name (rate-limited:
			// a backend that is down fails every call).
			v.Error = clients.Describe(err)
			e.failures.failed(m.Name(), err)
			return v, err
		}
		v.Usage.LlmCalls += res.Attempts
		queueWait += res.QueueWait
		callLatency += res.Latency
		v.Usage.PromptTokens += res.PromptTokens
		v.Usage.CompletionTokens += res.CompletionTokens
		v.RawAnswer = res.Content
		if res.Refusal != "" {
			v.RawAnswer = res.Refusal
			v.ParseStatus = pb.ParseStatus_PARSE_STATUS_REFUSED
			v.Error = "model refused: " + clip(res.Refusal, 200)
			return v, nil
		}
		var p Parsed
		var perr error
		if res.FinishReason == "length" {
			perr = errors.New("output truncated at the token limit (finish_reason=length)")
		} else {
			p, perr = t.Parse(res.Content, order)
		}
		if perr == nil {
			fillParsed(v, p, attempt > 0)
			e.fillAnswerProbability(v, t, res.Tokens)
			return v, nil
		}
		if attempt >= e.maxReasks {
			v.ParseStatus = pb.ParseStatus_PARSE_STATUS_FAILED
			v.Error = fmt.Sprintf("unreadable output after %d re-asks: %v", e.maxReasks, perr)
			return v, nil
		}
		msgs = append(msgs,
			clients.Message{Role: "assistant", Content: res.Content},
			clients.Message{Role: "user", Content: "Your reply could not be read (" + perr.Error() +
				"). Answer again with only the JSON object described in the instructions, and keep the rationale short."})
	}
}

func valid(v *pb.Vote) bool {
	return v.ParseStatus == pb.ParseStatus_PARSE_STATUS_OK || v.ParseStatus == pb.ParseStatus_PARSE_STATUS_REPAIRED
}

// assemble keeps the models that answered every order, aggregates their
// votes, and fills the common contract.
func assemble(t Task, cfg Config, profile string, votes []*pb.Vote, errs []error) *Judgment {
	j := &Judgment{Kind: t.Kind(), Profile: profile, ItemDigest: t.Digest(), Votes: votes, Usage: &pb.Usage{}}
	for _, v := range votes {
		j.Usage.PromptTokens += v.Usage.PromptTokens
		j.Usage.CompletionTokens += v.Usage.CompletionTokens
		j.Usage.LlmCalls += v.Usage.LlmCalls
		j.Usage.CacheHits += v.Usage.CacheHits
	}
	// A model counts only if every order it was shown produced a valid vote:
	// a verdict from a subset of orders would not be position-fair.
	var kept []*pb.Vote
	var reasons []string
	for _, name := range cfg.Models {
		ok, failures := modelComplete(votes, name)
		if !ok {
			j.FailedModels = append(j.FailedModels, name)
			reasons = append(reasons, fmt.Sprintf("model %q: %s", name, failures))
			continue
		}
		for _, v := range votes {
			if v.Model == name && valid(v) {
				kept = append(kept, v)
			}
		}
	}
	if len(kept) == 0 {
		j.Status = pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR
		j.Reason = strings.Join(reasons, "; ")
		j.Code = pb.ReasonCode_REASON_CODE_OTHER
		for i, v := range votes {
			if !valid(v) {
				j.Code = failureCode(v, errs[i])
				break
			}
		}
		return j
	}
	j.Outcome = t.Aggregate(kept)
	if len(reasons) > 0 {
		j.Reason = strings.TrimPrefix(j.Reason+"; excluded "+strings.Join(reasons, "; "), "; ")
	}
	var sum float64
	for _, v := range kept {
		sum += v.Certainty
	}
	j.Certainty = sum / float64(len(kept))
	return j
}

// modelComplete reports whether every order shown to the model has at least
// one valid vote, and otherwise what went wrong.
func modelComplete(votes []*pb.Vote, model string) (bool, string) {
	okByOrder := map[string]bool{}
	var errs []string
	for _, v := range votes {
		if v.Model != model {
			continue
		}
		key := fmt.Sprint(v.ShownOrder)
		if valid(v) {
			okByOrder[key] = true
			continue
		}
		if _, seen := okByOrder[key]; !seen {
			okByOrder[key] = false
		}
		errs = append(errs, fmt.Sprintf("order %v: %s", v.ShownOrder, v.Error))
	}
	for _, ok := range okByOrder {
		if !ok {
			return false, strings.Join(errs, "; ")
		}
	}
	return true, ""
}

// failureCode is the machine-readable reason of a failed vote.
func failureCode(v *pb.Vote, err error) pb.ReasonCode {
	switch v.ParseStatus {
	case pb.ParseStatus_PARSE_STATUS_FAILED:
		return pb.ReasonCode_REASON_CODE_UNREADABLE_OUTPUT
	case pb.ParseStatus_PARSE_STATUS_REFUSED:
		return pb.ReasonCode_REASON_CODE_REFUSED
	}
	var ce *clients.CallError
	if !errors.As(err, &ce) {
		return pb.ReasonCode_REASON_CODE_OTHER
	}
	switch ce.Kind {
	case clients.FaultRateLimited:
		return pb.ReasonCode_REASON_CODE_RATE_LIMITED
	case clients.FaultTimeout:
		return pb.ReasonCode_REASON_CODE_TIMEOUT
	case clients.FaultServer:
		return pb.ReasonCode_REASON_CODE_BACKEND_ERROR
	case clients.FaultUnreachable:
		return pb.ReasonCode_REASON_CODE_BACKEND_UNREACHABLE
	case clients.FaultRejected:
		return pb.ReasonCode_REASON_CODE_BACKEND_REJECTED
	}
	return pb.ReasonCode_REASON_CODE_OTHER
}
