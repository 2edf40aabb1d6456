package server

import (
	"fmt"
	"math"
	"strings"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/judges"
	"google.golang.org/protobuf/proto"
)

const roleMarker = "ZEBRA"

// roleItem is a role-identification item with k candidates; the target
// and the profile of candidates[gold] share roleMarker.
func roleItem(k, gold int) *pb.ScoreRequest {
	t := &pb.RoleIdentificationTask{
		Dialogue: []*pb.DialogueTurn{
			{Speaker: "Innkeeper", Text: "Who left the gate open last night?"},
			{Speaker: "Stable boy", Text: "Not me, I was asleep.", InnerThought: "I hope nobody saw me."},
		},
		TargetUtterance: "I went out to check on the " + roleMarker + " pen; I must have forgotten to latch it.",
	}
	for i := range k {
		profile := fmt.Sprintf("Role %d of the inn, with chores of their own.", i)
		if i == gold {
			profile += " Keeps the " + roleMarker + "s."
		}
		t.Candidates = append(t.Candidates, &pb.CandidateRole{Name: fmt.Sprintf("Person %c", 'A'+i), Profile: profile})
	}
	return &pb.ScoreRequest{ItemId: "role-1", Task: &pb.ScoreRequest_RoleIdentification{RoleIdentification: t}}
}

func rolePolicy(req *pb.ScoreRequest, p pb.OrderPolicy) *pb.ScoreRequest {
	req.Judge = &pb.JudgeConfig{OrderPolicy: p}
	return req
}

func roleSum(d []float64) float64 {
	var s float64
	for _, p := range d {
		s += p
	}
	return s
}

// A judge that reads content names the right candidate in every order,
// wherever the candidate is shown: a verdict with consistency 1.
func TestRoleContentJudge(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentRole(roleMarker, 85))
	ctx := t.Context()
	for _, tc := range []struct{ k, gold int }{{2, 1}, {4, 0}, {4, 3}, {10, 6}} {
		req := roleItem(tc.k, tc.gold)
		resp, err := h.grpc.Score(ctx, req)
		if err != nil {
			t.Fatalf("k=%d: %v", tc.k, err)
		}
		if resp.Status != verdict || resp.Verdict.Choice == nil || resp.Verdict.GetChoice() != int32(tc.gold) {
			t.Fatalf("k=%d gold=%d: status %v verdict %v (%s)", tc.k, tc.gold, resp.Status, resp.Verdict, resp.Reason)
		}
		if resp.PositionConsistency != 1 {
			t.Errorf("k=%d: position_consistency = %v, want 1", tc.k, resp.PositionConsistency)
		}
		if len(resp.Distribution) != tc.k || math.Abs(roleSum(resp.Distribution)-1) > 1e-9 || math.Abs(resp.Distribution[tc.gold]-0.85) > 1e-9 {
			t.Errorf("k=%d: distribution = %v, want 0.85 on %d", tc.k, resp.Distribution, tc.gold)
		}
		// Cyclic: k votes, and the gold candidate is shown once in every position.
		if len(resp.Votes) != tc.k {
			t.Fatalf("k=%d: %d votes", tc.k, len(resp.Votes))
		}
		positions := map[int]bool{}
		for _, v := range resp.Votes {
			for pos, c := range v.ShownOrder {
				if int(c) == tc.gold {
					positions[pos] = true
				}
			}
			if v.ParseStatus != pb.ParseStatus_PARSE_STATUS_OK || v.MappedAnswer.GetChoice() != int32(tc.gold) {
				t.Errorf("k=%d: vote %v parse %v choice %v", tc.k, v.ShownOrder, v.ParseStatus, v.MappedAnswer.GetChoice())
			}
		}
		if len(positions) != tc.k {
			t.Errorf("k=%d: gold shown in positions %v, want all %d", tc.k, positions, tc.k)
		}
		if resp.JudgeProfile != "role_identification/judge/"+judges.RolePromptVersion+"/cyclic" || resp.Usage.LlmCalls != int64(tc.k) {
			t.Errorf("k=%d: profile %q, %d calls", tc.k, resp.JudgeProfile, resp.Usage.LlmCalls)
		}
		if want := float64(84) / 99; math.Abs(resp.VerbalCertainty-want) > 1e-9 {
			t.Errorf("k=%d: verbal_certainty = %v, want %v", tc.k, resp.VerbalCertainty, want)
		}
		got, err := h.connect.GetJudgment(ctx, &pb.GetJudgmentRequest{JudgmentId: resp.JudgmentId})
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(got.Judgment, resp) || !proto.Equal(got.Request, req) {
			t.Fatalf("k=%d: stored judgment differs from the response", tc.k)
		}
	}
}

// A judge that always favours the first label shown: under the cyclic
// policy every candidate gets the favoured slot once, the mean is flat and
// the answer is ABSTAIN, never a confident wrong verdict.
func TestRoleFirstShownJudgeIsNeverAConfidentWrongAnswer(t *testing.T) {
	t.Parallel()
	for _, mass := range []float64{1, 0.97, 0.6} {
		h := newHarness(t, fakejudge.FirstShownRole(mass, 95))
		for _, k := range []int{2, 3, 4, 7} {
			resp, err := h.connect.Score(t.Context(), roleItem(k, k-1))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != abstain || resp.Verdict != nil {
				t.Fatalf("mass=%v k=%d: status %v verdict %v, want ABSTAIN", mass, k, resp.Status, resp.Verdict)
			}
			for i, p := range resp.Distribution {
				if math.Abs(p-1/float64(k)) > 1e-9 {
					t.Fatalf("mass=%v k=%d: distribution[%d] = %v, want 1/%d", mass, k, i, p, k)
				}
			}
			if math.Abs(resp.PositionConsistency-1/float64(k)) > 1e-12 {
				t.Errorf("mass=%v k=%d: position_consistency = %v, want 1/%d", mass, k, resp.PositionConsistency, k)
			}
			if !strings.Contains(resp.Reason, "tie") {
				t.Errorf("reason %q does not explain the abstention", resp.Reason)
			}
		}
	}
}

// The cheaper policies: reversed shows two orders, single one.
func TestRoleOrderPolicies(t *testing.T) {
	t.Parallel()
	const k = 4
	tests := []struct {
		name        string
		behavior    func(t *testing.T) *harness
		policy      pb.OrderPolicy
		status      pb.JudgmentStatus
		choice      int32
		consistency float64
		orders      [][]int32
	}{
		{
			// The first-slot bias lands on candidates 0 and 3: a tie.
			name:     "reversed, first-shown judge",
			behavior: func(t *testing.T) *harness { return newHarness(t, fakejudge.FirstShownRole(0.97, 90)) },
			policy:   pb.OrderPolicy_ORDER_POLICY_REVERSED, status: abstain, consistency: 0.5,
			orders: [][]int32{{0, 1, 2, 3}, {3, 2, 1, 0}},
		},
		{
			name:     "reversed, content judge",
			behavior: func(t *testing.T) *harness { return newHarness(t, fakejudge.ContentRole(roleMarker, 90)) },
			policy:   pb.OrderPolicy_ORDER_POLICY_REVERSED, status: verdict, choice: 2, consistency: 1,
			orders: [][]int32{{0, 1, 2, 3}, {3, 2, 1, 0}},
		},
		{
			// Single is cheap and not position-fair: the bias goes
			// unnoticed, and the response says so only through its profile.
			name:     "single, first-shown judge",
			behavior: func(t *testing.T) *harness { return newHarness(t, fakejudge.FirstShownRole(0.97, 90)) },
			policy:   pb.OrderPolicy_ORDER_POLICY_SINGLE, status: verdict, choice: 0, consistency: 1,
			orders: [][]int32{{0, 1, 2, 3}},
		},
		{
			name:     "single, content judge",
			behavior: func(t *testing.T) *harness { return newHarness(t, fakejudge.ContentRole(roleMarker, 90)) },
			policy:   pb.OrderPolicy_ORDER_POLICY_SINGLE, status: verdict, choice: 2, consistency: 1,
			orders: [][]int32{{0, 1, 2, 3}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := tt.behavior(t)
			resp, err := h.connect.Score(t.Context(), rolePolicy(roleItem(k, 2), tt.policy))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tt.status || (tt.status == verdict && resp.Verdict.GetChoice() != tt.choice) {
				t.Fatalf("status %v verdict %v, want %v %d", resp.Status, resp.Verdict, tt.status, tt.choice)
			}
			if resp.PositionConsistency != tt.consistency {
				t.Errorf("position_consistency = %v, want %v", resp.PositionConsistency, tt.consistency)
			}
			if len(resp.Votes) != len(tt.orders) || h.fake.Calls() != int64(len(tt.orders)) {
				t.Fatalf("%d votes, %d calls, want %d", len(resp.Votes), h.fake.Calls(), len(tt.orders))
			}
			for i, v := range resp.Votes {
				if fmt.Sprint(v.ShownOrder) != fmt.Sprint(tt.orders[i]) {
					t.Errorf("vote %d shown %v, want %v", i, v.ShownOrder, tt.orders[i])
				}
			}
			if want := "/" + judges.PolicyName(tt.policy); !strings.HasSuffix(resp.JudgeProfile, want) {
				t.Errorf("profile %q does not end in %q", resp.JudgeProfile, want)
			}
		})
	}
}

// Malformed answers are repaired where the intent is clear and otherwise
// re-asked, then reported as JUDGE_ERROR, never as a verdict.
func TestRoleMalformedAnswers(t *testing.T) {
	t.Parallel()
	const k, gold = 4, 1
	good := fakejudge.ContentRole(roleMarker, 80)
	tests := []struct {
		name       string
		fault      fakejudge.RoleFault
		fixOnReask bool
		status     pb.JudgmentStatus
		parse      pb.ParseStatus
		reason     string
		calls      int64
	}{
		{"names instead of labels", fakejudge.NamesAsKeys, false, judgeErr, pb.ParseStatus_PARSE_STATUS_FAILED, "keyed by the candidate name", 3 * k},
		{"names, then labels on re-ask", fakejudge.NamesAsKeys, true, verdict, pb.ParseStatus_PARSE_STATUS_REPAIRED, "", 2 * k},
		{"sum 1.3 renormalized", fakejudge.SumTo130, false, verdict, pb.ParseStatus_PARSE_STATUS_REPAIRED, "", k},
		{"percentages rescaled", fakejudge.Percentages, false, verdict, pb.ParseStatus_PARSE_STATUS_REPAIRED, "", k},
		{"missing candidate", fakejudge.MissingCandidate, false, judgeErr, pb.ParseStatus_PARSE_STATUS_FAILED, `missing label "4"`, 3 * k},
		{"negative probability", fakejudge.NegativeProbability, false, judgeErr, pb.ParseStatus_PARSE_STATUS_FAILED, "negative", 3 * k},
		{"not a number", fakejudge.NotANumber, false, judgeErr, pb.ParseStatus_PARSE_STATUS_FAILED, "not a number", 3 * k},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := fakejudge.FaultyRole(roleMarker, tt.fault)
			if tt.fixOnReask {
				b = fakejudge.UntilReasked(b, good)
			}
			h := newHarness(t, b)
			resp, err := h.connect.Score(t.Context(), roleItem(k, gold))
			if err != nil {
				t.Fatalf("Score returned an RPC error for a malformed answer: %v", err)
			}
			if resp.Status != tt.status {
				t.Fatalf("status = %v (%s), want %v", resp.Status, resp.Reason, tt.status)
			}
			if tt.status == verdict {
				if resp.Verdict.GetChoice() != gold || resp.PositionConsistency != 1 {
					t.Fatalf("verdict %v consistency %v, want %d at 1", resp.Verdict, resp.PositionConsistency, gold)
				}
				if math.Abs(roleSum(resp.Distribution)-1) > 1e-9 || math.Abs(resp.Distribution[gold]-0.85) > 1e-9 {
					t.Fatalf("distribution %v not renormalized to 0.85 on %d", resp.Distribution, gold)
				}
			} else if resp.Verdict != nil || resp.Distribution != nil {
				t.Fatalf("JUDGE_ERROR carries a verdict or distribution: %v %v", resp.Verdict, resp.Distribution)
			}
			for _, v := range resp.Votes {
				if v.ParseStatus != tt.parse {
					t.Fatalf("vote %v parse status %v (%s), want %v", v.ShownOrder, v.ParseStatus, v.Error, tt.parse)
				}
			}
			if !strings.Contains(resp.Reason, tt.reason) {
				t.Fatalf("reason %q does not contain %q", resp.Reason, tt.reason)
			}
			if h.fake.Calls() != tt.calls || resp.Usage.LlmCalls != tt.calls {
				t.Fatalf("fake saw %d calls, usage says %d, want %d", h.fake.Calls(), resp.Usage.LlmCalls, tt.calls)
			}
			if h.judgments(t) != 1 {
				t.Fatal("judgment not recorded")
			}
		})
	}
}

func TestRoleBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentRole(roleMarker, 80))
	role := func(r *pb.ScoreRequest) *pb.RoleIdentificationTask { return r.GetRoleIdentification() }
	const f = "role_identification."
	tests := []struct {
		name  string
		edit  func(*pb.ScoreRequest)
		field string
	}{
		{"one candidate", func(r *pb.ScoreRequest) { role(r).Candidates = role(r).Candidates[:1] }, f + "candidates"},
		{"no candidates", func(r *pb.ScoreRequest) { role(r).Candidates = nil }, f + "candidates"},
		{"eleven candidates", func(r *pb.ScoreRequest) { role(r).Candidates = role(roleItem(11, 0)).Candidates }, f + "candidates"},
		{"duplicate name ignoring case and spaces", func(r *pb.ScoreRequest) { role(r).Candidates[2].Name = "  person a " }, f + "candidates[2].name"},
		{"duplicate name in look-alike letters", func(r *pb.ScoreRequest) { role(r).Candidates[2].Name = "Pеrson\u200b A" }, f + "candidates[2].name"},
		{"empty name", func(r *pb.ScoreRequest) { role(r).Candidates[1].Name = " " }, f + "candidates[1].name"},
		{"multi-line name", func(r *pb.ScoreRequest) { role(r).Candidates[1].Name = "Person\nB" }, f + "candidates[1].name"},
		{"name too long", func(r *pb.ScoreRequest) { role(r).Candidates[0].Name = strings.Repeat("n", MaxCandidateNameBytes+1) }, f + "candidates[0].name"},
		{"empty profile", func(r *pb.ScoreRequest) { role(r).Candidates[0].Profile = "" }, f + "candidates[0].profile"},
		{"profile too long", func(r *pb.ScoreRequest) { role(r).Candidates[2].Profile = strings.Repeat("p", MaxRoleProfileBytes+1) }, f + "candidates[2].profile"},
		{"empty target", func(r *pb.ScoreRequest) { role(r).TargetUtterance = "\t" }, f + "target_utterance"},
		{"target too long", func(r *pb.ScoreRequest) { role(r).TargetUtterance = strings.Repeat("t", MaxUtteranceBytes+1) }, f + "target_utterance"},
		{"leaked speaker", func(r *pb.ScoreRequest) { role(r).TargetUtterance = "Person B: " + role(r).TargetUtterance }, f + "target_utterance"},
		{"leaked speaker, other case", func(r *pb.ScoreRequest) { role(r).TargetUtterance = " person c : it was me" }, f + "target_utterance"},
		{"leaked speaker, bracketed", func(r *pb.ScoreRequest) { role(r).TargetUtterance = "[Person A]: it was me" }, f + "target_utterance"},
		{"leaked speaker, full-width colon", func(r *pb.ScoreRequest) { role(r).TargetUtterance = "Person D：是我" }, f + "target_utterance"},
		{"leaked speaker, small colon", func(r *pb.ScoreRequest) { role(r).TargetUtterance = "Person D﹕ it was me" }, f + "target_utterance"},
		{"leaked speaker, name starting with a bracket", func(r *pb.ScoreRequest) {
			role(r).Candidates[1].Name = "(Al"
			role(r).TargetUtterance = "(Al: it was me"
		}, f + "target_utterance"},
		{"empty turn text", func(r *pb.ScoreRequest) { role(r).Dialogue[1].Text = "" }, f + "dialogue[1].text"},
		{"turn text too long", func(r *pb.ScoreRequest) { role(r).Dialogue[0].Text = strings.Repeat("x", MaxUtteranceBytes+1) }, f + "dialogue[0].text"},
		{"speaker too long", func(r *pb.ScoreRequest) { role(r).Dialogue[0].Speaker = strings.Repeat("s", MaxSpeakerBytes+1) }, f + "dialogue[0].speaker"},
		{"inner thought too long", func(r *pb.ScoreRequest) { role(r).Dialogue[1].InnerThought = strings.Repeat("i", MaxUtteranceBytes+1) }, f + "dialogue[1].inner_thought"},
		{"too many turns", func(r *pb.ScoreRequest) {
			for range MaxDialogueTurns {
				role(r).Dialogue = append(role(r).Dialogue, &pb.DialogueTurn{Speaker: "x", Text: "y"})
			}
		}, f + "dialogue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := roleItem(4, 1)
			tt.edit(req)
			_, err := h.connect.Score(t.Context(), req)
			assertInvalidField(t, err, tt.field)
		})
	}
	if n := h.judgments(t); n != 0 {
		t.Fatalf("%d judgments stored for rejected requests", n)
	}
	if h.fake.Calls() != 0 {
		t.Fatalf("rejected requests reached the LLM %d times", h.fake.Calls())
	}
}

// Texts that only resemble a leak are judged: a name inside the target, a
// name that is a prefix of a longer word, no dialogue at all.
func TestRoleAcceptsNearLeaks(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentRole(roleMarker, 80))
	for _, target := range []string{
		"Person B knows I fed the " + roleMarker + "s: ask them.",
		"Person Bertram: no. I keep the " + roleMarker + "s.",
		"Ask Person A: " + roleMarker + " duty is mine.",
	} {
		req := roleItem(3, 2)
		req.GetRoleIdentification().TargetUtterance = target
		req.GetRoleIdentification().Dialogue = nil
		resp, err := h.connect.Score(t.Context(), req)
		if err != nil {
			t.Fatalf("%q: %v", target, err)
		}
		if resp.Status != verdict || resp.Verdict.GetChoice() != 2 {
			t.Fatalf("%q: status %v verdict %v", target, resp.Status, resp.Verdict)
		}
	}
}
