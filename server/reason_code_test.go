package server

import (
	"testing"

	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

// Every ABSTAIN and JUDGE_ERROR carries a machine-readable reason code, and
// a tie says whether the judge stated it or the orders produced it.
func TestReasonCodesAndTieSource(t *testing.T) {
	t.Parallel()
	fast := map[string]string{"Retry-After-Ms": "1"}
	reply := func(r llmfake.Reply) llmfake.Behavior {
		return func(*llmfake.Request, int64) llmfake.Reply { return r }
	}
	noRetries := func(c *clients.ModelConfig) { zero := 0; c.MaxRetries = &zero }
	for _, tt := range []struct {
		name       string
		behavior   llmfake.Behavior
		allowTie   bool
		wantStatus pb.JudgmentStatus
		wantCode   pb.ReasonCode
		wantTie    pb.TieSource
	}{
		{"agreeing orders", fakejudge.ContentPreference("GOOD", 80), false, verdict, pb.ReasonCode_REASON_CODE_UNSPECIFIED, pb.TieSource_TIE_SOURCE_UNSPECIFIED},
		{"disagreeing orders", fakejudge.FirstLabel(80), false, abstain, pb.ReasonCode_REASON_CODE_ORDERS_DISAGREE, pb.TieSource_TIE_SOURCE_UNSPECIFIED},
		{"disagreeing orders, ties allowed", fakejudge.FirstLabel(80), true, verdict, pb.ReasonCode_REASON_CODE_ORDERS_DISAGREE, pb.TieSource_TIE_SOURCE_ORDERS_DISAGREE},
		{"a stated tie", reply(llmfake.Reply{Content: fakejudge.PreferenceAnswer("tie", 80)}), true, verdict, pb.ReasonCode_REASON_CODE_UNSPECIFIED, pb.TieSource_TIE_SOURCE_STATED},
		{"unreadable output", reply(llmfake.Reply{Content: "I cannot decide."}), false, judgeErr, pb.ReasonCode_REASON_CODE_UNREADABLE_OUTPUT, pb.TieSource_TIE_SOURCE_UNSPECIFIED},
		{"refusal", reply(llmfake.Reply{Refusal: "I will not judge people."}), false, judgeErr, pb.ReasonCode_REASON_CODE_REFUSED, pb.TieSource_TIE_SOURCE_UNSPECIFIED},
		{"rate limited", reply(llmfake.Reply{Status: 429, Header: fast}), false, judgeErr, pb.ReasonCode_REASON_CODE_RATE_LIMITED, pb.TieSource_TIE_SOURCE_UNSPECIFIED},
		{"server errors", reply(llmfake.Reply{Status: 503, Header: fast}), false, judgeErr, pb.ReasonCode_REASON_CODE_BACKEND_ERROR, pb.TieSource_TIE_SOURCE_UNSPECIFIED},
		{"rejected", reply(llmfake.Reply{Status: 400, ErrorMessage: "bad request"}), false, judgeErr, pb.ReasonCode_REASON_CODE_BACKEND_REJECTED, pb.TieSource_TIE_SOURCE_UNSPECIFIED},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.behavior, noRetries)
			req := prefItem(0)
			req.Judge = &pb.JudgeConfig{AllowTie: tt.allowTie}
			resp, err := h.connect.Score(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tt.wantStatus || resp.ReasonCode != tt.wantCode || resp.TieSource != tt.wantTie {
				t.Fatalf("status %v code %v tie %v (reason %q); want %v %v %v", resp.Status, resp.ReasonCode, resp.TieSource, resp.Reason, tt.wantStatus, tt.wantCode, tt.wantTie)
			}
			if (resp.Status != verdict || resp.TieSource == pb.TieSource_TIE_SOURCE_ORDERS_DISAGREE) && resp.ReasonCode == pb.ReasonCode_REASON_CODE_UNSPECIFIED {
				t.Fatal("no reason code on a judgment that is not a plain verdict")
			}
		})
	}
}
