package server

import (
	"strings"
	"sync/atomic"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

// The no-persona control is judged without a persona, under a profile of
// its own, so it is never calibrated or reported with persona-aware ones.
func TestScoreWithoutPersona(t *testing.T) {
	t.Parallel()
	req := prefItem(1)
	persona := req.GetPreference().Persona
	var sawPersona atomic.Bool
	judge := fakejudge.ContentPreference("GOOD", 80)
	h := newHarness(t, func(r *llmfake.Request, n int64) llmfake.Reply {
		for _, m := range r.Messages {
			if strings.Contains(m.Content, persona) || strings.Contains(m.Content, "Persona of the user") {
				sawPersona.Store(true)
			}
		}
		return judge(r, n)
	})
	req.GetPreference().Persona, req.GetPreference().WithoutPersona = "", true
	resp, err := h.connect.Score(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT || resp.Verdict.GetChoice() != 1 || !strings.Contains(resp.JudgeProfile, "+nopersona") {
		t.Fatalf("control: %v, verdict %v, profile %q", resp.Status, resp.Verdict, resp.JudgeProfile)
	}
	if sawPersona.Load() || h.fake.Calls() == 0 {
		t.Fatalf("the control's prompt showed a persona (%v) or no call was made (%d)", sawPersona.Load(), h.fake.Calls())
	}
}
