package server

import (
	"strings"
	"testing"

	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

// On a stream, bad input is INVALID, naming the field, and a judge that
// fails is JUDGE_ERROR: counting bad requests as judge failures would make
// a caller's mistakes look like an unreliable judge.
func TestScoreStreamInvalidItemsAreInvalid(t *testing.T) {
	t.Parallel()
	content := fakejudge.ContentPreference("GOOD", 80)
	h := newHarness(t, func(r *llmfake.Request, n int64) llmfake.Reply {
		if strings.Contains(r.User(), "FAIL") {
			return llmfake.Reply{Status: 500}
		}
		return content(r, n)
	}, func(c *clients.ModelConfig) { zero := 0; c.MaxRetries = &zero })

	badPersona := prefItemID("bad-persona", 0)
	badPersona.GetPreference().Persona = ""
	unknownModel := prefItemID("unknown-model", 0)
	unknownModel.Judge = &pb.JudgeConfig{Models: []string{"nope"}}
	badPolicy := prefItemID("bad-policy", 0)
	badPolicy.Judge = &pb.JudgeConfig{OrderPolicy: 99}
	fail := prefItemID("llm-fails", 0)
	fail.GetPreference().Query += " FAIL"
	reqs := []*pb.ScoreRequest{
		prefItemID("good", 0), badPersona, unknownModel, badPolicy, fail,
		prefItemID("", 1),     // no item_id
		prefItemID("good", 1), // item_id already sent
	}
	results := streamAll(t, h, reqs)
	if len(results) != len(reqs) {
		t.Fatalf("%d results for %d items", len(results), len(reqs))
	}
	type want struct {
		status pb.JudgmentStatus
		reason string
	}
	invalid := pb.JudgmentStatus_JUDGMENT_STATUS_INVALID
	wants := map[string][]want{
		"good":          {{verdict, ""}, {invalid, "invalid_argument: item.item_id"}},
		"bad-persona":   {{invalid, "invalid_argument: preference.persona"}},
		"unknown-model": {{invalid, "invalid_argument: judge.models[0]"}},
		"bad-policy":    {{invalid, "invalid_argument: judge.order_policy"}},
		"llm-fails":     {{judgeErr, "HTTP 500"}},
		"":              {{invalid, "invalid_argument: item.item_id"}},
	}
	for _, r := range results {
		ws := wants[r.ItemId]
		found := -1
		for i, w := range ws {
			if r.Status == w.status && strings.Contains(r.Reason, w.reason) {
				found = i
			}
		}
		if found < 0 {
			t.Errorf("item %q: status %v reason %q; want one of %v", r.ItemId, r.Status, r.Reason, ws)
			continue
		}
		wants[r.ItemId] = append(ws[:found], ws[found+1:]...)
		if r.Status == invalid && r.ReasonCode != pb.ReasonCode_REASON_CODE_INVALID_INPUT {
			t.Errorf("item %q: INVALID with reason code %v", r.ItemId, r.ReasonCode)
		}
		if r.Status == invalid && (r.JudgmentId != "" || r.Verdict != nil || len(r.Votes) != 0) {
			t.Errorf("item %q: an INVALID result carries a judgment: %v", r.ItemId, r)
		}
	}
	if n := h.judgments(t); n != 2 { // the good item and the failing one
		t.Fatalf("%d judgments recorded, want 2", n)
	}
	// An item without any content at all is INVALID too.
	stream, err := h.connect.ScoreStream(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&pb.ScoreStreamRequest{}); err != nil {
		t.Fatal(err)
	}
	stream.CloseRequest()
	msg, err := stream.Receive()
	if err != nil {
		t.Fatal(err)
	}
	if msg.Result.Status != invalid || !strings.Contains(msg.Result.Reason, "invalid_argument: item") {
		t.Fatalf("empty message: status %v reason %q", msg.Result.Status, msg.Result.Reason)
	}
}
