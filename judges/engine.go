// Package judges renders judge prompts, reads the answers, and runs every
// judgment position-fair: the options are shown in several orders
// concurrently, each answer is mapped back to canonical options, and the
// votes are aggregated with their disagreement reported.
package judges

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

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
	Status       pb.JudgmentStatus
	Verdict      *pb.Verdict
	Reason       string
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
}

// Config is how to judge, resolved from the request and server defaults.
type Config struct {
	Models      []string
	Policy      pb.OrderPolicy
	Samples     int
	Temperature float64
	// ItemDigest identifies the item's inputs for the response cache (see
	// ItemDigest); empty disables the cache for this judgment.
	ItemDigest string
	// Cache says how the response cache is used.
	Cache pb.CachePolicy
}

// Engine runs tasks against the configured models.
type Engine struct {
	Models *clients.Registry
	// MaxReasks bounds how often unreadable output is asked for again.
	MaxReasks int
	// Cache, when set, answers repeated calls without paying for them.
	Cache clients.Cache

	inflight flights
}

// Profile names a judge profile: kind, model(s), prompt version and order
// policy. Calibrators are fitted per profile.
func Profile(t Task, cfg Config) string {
	return fmt.Sprintf("%s/%s/%s/%s", t.Kind(), strings.Join(cfg.Models, "+"), t.PromptVersion(), PolicyName(cfg.Policy))
}

// ErrUnreachable wraps the error returned when no model could be reached at
// all, which the server answers with Unavailable instead of a judgment.
var ErrUnreachable = errors.New("judge backend unreachable")

// Judge runs every (model, order, sample) call concurrently and aggregates.
// It returns an error only when the caller went away or no backend could be
// reached; every other fault is reported inside the response.
func (e *Engine) Judge(ctx context.Context, t Task, cfg Config) (*pb.ScoreResponse, error) {
	orders := t.Orders(cfg.Policy)
	fence := NewFence(t.Untrusted()...)
	samples := max(cfg.Samples, 1)
	profile := Profile(t, cfg)

	n := len(cfg.Models) * len(orders) * samples
	votes := make([]*pb.Vote, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	i := 0
	for _, name := range cfg.Models {
		model, ok := e.Models.Get(name)
		if !ok {
			return nil, fmt.Errorf("unknown model %q", name) // validated earlier
		}
		for _, order := range orders {
			for s := range samples {
				idx := i
				i++
				wg.Go(func() {
					votes[idx], errs[idx] = e.cachedVote(ctx, profile, model, t, order, s, fence, cfg)
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
	return assemble(t, cfg, profile, votes), nil
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
	if e.Cache == nil || cfg.ItemDigest == "" || cfg.Cache == pb.CachePolicy_CACHE_POLICY_BYPASS {
		return e.vote(ctx, m, t, order, sample, f, cfg)
	}
	key := callKey(profile, cfg.ItemDigest, m, order, sample, cfg.Temperature)
	if cfg.Cache != pb.CachePolicy_CACHE_POLICY_REFRESH {
		// A cache read failure only costs a call; it never fails the vote.
		if cr, ok, err := e.Cache.GetResponse(ctx, key); err == nil && ok {
			if p, perr := t.Parse(cr.Content, order); perr == nil {
				v := newVote(m, order, sample)
				v.RawAnswer = cr.Content
				fillParsed(v, p, false)
				v.CacheHit = true
				v.Usage.CacheHits = 1
				v.Latency = durationpb.New(0)
				traceCacheHit(ctx, v)
				return v, nil
			}
		}
	}
	v, err, shared := e.inflight.do(ctx, key, func() (*pb.Vote, error) {
		v, err := e.vote(ctx, m, t, order, sample, f, cfg)
		if err == nil && valid(v) {
			// Written even if this caller leaves: the call was paid for.
			_ = e.Cache.PutResponse(context.WithoutCancel(ctx), key, clients.CachedResponse{
				Content: v.RawAnswer, PromptTokens: v.Usage.PromptTokens, CompletionTokens: v.Usage.CompletionTokens,
			})
		}
		return v, err
	})
	if shared && v != nil {
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
	v.Certainty = normalizeCertainty(p.Certainty)
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
	defer func() { v.Latency = durationpb.New(time.Since(start)) }()
	for attempt := 0; ; attempt++ {
		res, err := m.Complete(ctx, clients.Request{Messages: msgs, Schema: t.Schema(), Temperature: cfg.Temperature, Seed: &seed})
		if err != nil {
			var ce *clients.CallError
			if errors.As(err, &ce) {
				v.Usage.LlmCalls += ce.Attempts
			}
			v.ParseStatus = pb.ParseStatus_PARSE_STATUS_TRANSPORT_ERROR
			v.Error = err.Error()
			return v, err
		}
		v.Usage.LlmCalls += res.Attempts
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
			return v, nil
		}
		if attempt >= e.MaxReasks {
			v.ParseStatus = pb.ParseStatus_PARSE_STATUS_FAILED
			v.Error = fmt.Sprintf("unreadable output after %d re-asks: %v", e.MaxReasks, perr)
			return v, nil
		}
		msgs = append(msgs,
			clients.Message{Role: "assistant", Content: res.Content},
			clients.Message{Role: "user", Content: "Your reply could not be read (" + perr.Error() +
				"). Answer again with only the JSON object described in the instructions, and keep the rationale short."})
	}
}

func normalizeCertainty(c float64) float64 {
	return min(max((c-1)/99, 0), 1)
}

func valid(v *pb.Vote) bool {
	return v.ParseStatus == pb.ParseStatus_PARSE_STATUS_OK || v.ParseStatus == pb.ParseStatus_PARSE_STATUS_REPAIRED
}

// assemble keeps the models that answered every order, aggregates their
// votes, and fills the common contract.
func assemble(t Task, cfg Config, profile string, votes []*pb.Vote) *pb.ScoreResponse {
	resp := &pb.ScoreResponse{Votes: votes, Usage: &pb.Usage{}, JudgeProfile: profile}
	for _, v := range votes {
		resp.Usage.PromptTokens += v.Usage.PromptTokens
		resp.Usage.CompletionTokens += v.Usage.CompletionTokens
		resp.Usage.LlmCalls += v.Usage.LlmCalls
		resp.Usage.CacheHits += v.Usage.CacheHits
	}
	// A model counts only if every order it was shown produced a valid vote:
	// a verdict from a subset of orders would not be position-fair.
	var kept []*pb.Vote
	var reasons []string
	for _, name := range cfg.Models {
		ok, failures := modelComplete(votes, name)
		if !ok {
			resp.FailedModels = append(resp.FailedModels, name)
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
		resp.Status = pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR
		resp.Reason = strings.Join(reasons, "; ")
		return resp
	}
	out := t.Aggregate(kept)
	resp.Status = out.Status
	resp.Verdict = out.Verdict
	resp.Distribution = out.Distribution
	resp.PositionConsistency = out.Consistency
	resp.ScoreSpread = out.ScoreSpread
	resp.Reason = out.Reason
	if len(reasons) > 0 {
		resp.Reason = strings.TrimPrefix(resp.Reason+"; excluded "+strings.Join(reasons, "; "), "; ")
	}
	var sum float64
	for _, v := range kept {
		sum += v.Certainty
	}
	resp.VerbalCertainty = sum / float64(len(kept))
	return resp
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
