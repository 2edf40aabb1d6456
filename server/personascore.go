package server

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
	"golang.org/x/sync/errgroup"
)

const (
	// MaxPersonaScoreItems bounds one PersonaScore call, so one request
	// cannot hold the judges for long; bigger sets go through ScoreStream.
	MaxPersonaScoreItems = 1000
	// MaxBootstrapSamples bounds the interval's cost (samples x items draws).
	MaxBootstrapSamples = 20_000
	// personaScoreWorkers bounds the items of one call judged at once (see
	// admission.callWindow, which may bound them lower). It
	// only has to keep the models' own concurrency limits busy (each item
	// makes one call per order and model, and each model's semaphore bounds
	// what reaches it), without a goroutine per item of a 1,000-item call.
	personaScoreWorkers = 64
)

// PersonaScore judges a persona agent's answers on the PersonaGym tasks and
// rolls them up. The whole request is validated before any item is judged,
// so a bad request costs nothing and leaves nothing in the ledger. Every
// item is then judged (and recorded) as one Score would judge it; an item
// whose judge fails is a JUDGE_ERROR judgment, excluded from the roll-up
// and counted, while an RPC error of any item (backend unreachable, caller
// gone, ledger down) fails the call.
func (s *Service) PersonaScore(ctx context.Context, req *pb.PersonaScoreRequest) (*pb.PersonaScoreResponse, error) {
	if fe := validatePersonaScore(req, s.knownModel); fe != nil {
		return nil, invalidArgument(fe)
	}
	// The call holds a window of the bound, not a place per item: its
	// items flow through the window as earlier ones finish, so a call
	// larger than --max-queued succeeds on an idle server.
	window := s.admission.callWindow(len(req.Items), personaScoreWorkers)
	release, err := s.admission.tryAdmit(window)
	if err != nil {
		return nil, err
	}
	defer release()
	results := make([]*pb.ScoreResponse, len(req.Items))
	judged := make([]*judges.Judgment, len(req.Items))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(window)
	for i, it := range req.Items {
		if gctx.Err() != nil {
			break // an item failed the call, or the caller left
		}
		g.Go(func() error {
			j, resp, err := s.judgeOne(gctx, personaItemRequest(req, it))
			if err != nil {
				return personaItemError(i, err)
			}
			judged[i], results[i] = j, resp
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, connect.NewError(connect.CodeOf(err), err)
	}

	items := make([]judges.PersonaItem, len(results))
	usage := &pb.Usage{}
	for i, r := range results {
		items[i] = judges.PersonaItemFrom(req.Items[i].Task, judged[i])
		usage.PromptTokens += r.GetUsage().GetPromptTokens()
		usage.CompletionTokens += r.GetUsage().GetCompletionTokens()
		usage.LlmCalls += r.GetUsage().GetLlmCalls()
		usage.CacheHits += r.GetUsage().GetCacheHits()
	}
	roll := judges.RollUpPersona(items, req.BootstrapSeed, int(req.BootstrapSamples))
	return &pb.PersonaScoreResponse{
		Judgments:            results,
		TaskScores:           roll.Tasks,
		PersonaScore:         roll.Score,
		PersonaScoreInterval: roll.Interval,
		MissingTasks:         roll.Missing,
		Note:                 roll.Note,
		Usage:                usage,
	}, nil
}

// personaItemRequest is the Score request of one item: the persona is shared.
func personaItemRequest(req *pb.PersonaScoreRequest, it *pb.PersonaScoreItem) *pb.ScoreRequest {
	return &pb.ScoreRequest{
		ItemId: it.ItemId,
		Task: &pb.ScoreRequest_Adherence{Adherence: &pb.PersonaAdherenceTask{
			Persona:      req.Persona,
			Task:         it.Task,
			Setting:      it.Setting,
			Question:     it.Question,
			Answer:       it.Answer,
			CustomRubric: it.CustomRubric,
		}},
		Judge: req.Judge,
	}
}

// personaItemError names the item an RPC error came from, keeping its code and
// details.
func personaItemError(i int, err error) error {
	var ce *connect.Error
	if !errors.As(err, &ce) {
		return connect.NewError(connect.CodeInternal, fmt.Errorf("items[%d]: %w", i, err))
	}
	out := connect.NewError(ce.Code(), fmt.Errorf("items[%d]: %s", i, ce.Message()))
	for _, d := range ce.Details() {
		out.AddDetail(d)
	}
	return out
}

// validatePersonaScore checks a PersonaScoreRequest before any work starts,
// naming the field at fault (for example items[3].answer).
func validatePersonaScore(req *pb.PersonaScoreRequest, known modelLookup) *fieldError {
	if err := checkText("persona", req.Persona, MaxPersonaBytes, true); err != nil {
		return err
	}
	if n := len(req.Items); n == 0 || n > MaxPersonaScoreItems {
		return badField("items", "must hold 1 to %d items, got %d; stream bigger sets through ScoreStream", MaxPersonaScoreItems, n)
	}
	if err := validateJudgeConfig(req.Judge, known); err != nil {
		return err
	}
	if n := req.BootstrapSamples; n < 0 || n > MaxBootstrapSamples {
		return badField("bootstrap_samples", "must be between 0 (meaning %d) and %d, got %d", judges.DefaultBootstrapSamples, MaxBootstrapSamples, n)
	}
	for i, it := range req.Items {
		prefix := "items[" + strconv.Itoa(i) + "]."
		if it == nil {
			return badField("items["+strconv.Itoa(i)+"]", "must be set")
		}
		if err := checkText(prefix+"item_id", it.ItemId, MaxItemIDBytes, false); err != nil {
			return err
		}
		if err := validateAdherenceItem(prefix, it.Task, it.Setting, it.Question, it.Answer, it.CustomRubric); err != nil {
			return err
		}
	}
	return nil
}
