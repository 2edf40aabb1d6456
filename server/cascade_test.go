package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
	"google.golang.org/protobuf/proto"
)

// easyMarker in a query makes the cheap judge sure of itself.
const easyMarker = "EASY"

// cascadeHarness serves three judge models on one fake: "cheap" states
// certainty 95 on queries holding easyMarker and 55 on the rest, "strong"
// always 90, "other" always 80; each picks the response marked GOOD.
func cascadeHarness(t *testing.T) (*harness, personajudgev1connect.CascadeServiceClient) {
	t.Helper()
	cheap := func(r *llmfake.Request, n int64) llmfake.Reply {
		c := 55
		if requestHas(r, easyMarker) {
			c = 95
		}
		return fakejudge.ContentPreference("GOOD", c)(r, n)
	}
	fake := llmfake.New(fakejudge.ByModel(map[string]llmfake.Behavior{
		"cheap": cheap, "strong": fakejudge.ContentPreference("GOOD", 90), "other": fakejudge.ContentPreference("GOOD", 80),
	}))
	t.Cleanup(fake.Close)
	retries := 0
	var models []clients.ModelConfig
	for _, m := range []string{"cheap", "strong", "other"} {
		models = append(models, clients.ModelConfig{Name: m, BaseURL: fake.BaseURL(), MaxConcurrency: 8, Timeout: "5s", MaxRetries: &retries})
	}
	h := newHarnessWith(t, fake, clients.FileConfig{Models: models})
	h2c := &http.Client{Transport: &http.Transport{Protocols: unencryptedHTTP2()}}
	return h, personajudgev1connect.NewCascadeServiceClient(h2c, h.srv.URL, connect.WithGRPC())
}

func requestHas(r *llmfake.Request, s string) bool {
	for _, m := range r.Messages {
		if strings.Contains(fmt.Sprint(m.Content), s) {
			return true
		}
	}
	return false
}

// keyedRecords is n records of a model on keys prefix0.., at one
// certainty, the first `right` of them right.
func keyedRecords(model, prefix string, n, right int, certainty float64) []*pb.RawOutcome {
	out := make([]*pb.RawOutcome, n)
	for i := range n {
		out[i] = &pb.RawOutcome{Profile: "preference/" + model + "/pref-v1/cyclic", Certainty: certainty, Correct: i < right,
			ItemKey: fmt.Sprintf("%s%03d", prefix, i), Model: model, Choice: proto.Int32(0)}
	}
	return out
}

func stagesOf(models ...string) []*pb.CascadeStage {
	out := make([]*pb.CascadeStage, len(models))
	for i, m := range models {
		out[i] = &pb.CascadeStage{Models: strings.Split(m, "+")}
	}
	return out
}

// A fitted cheap > strong cascade answers a confident item at stage 0 and
// escalates an unsure one to stage 1; the fit's report says how.
func TestCascadeFitAndScore(t *testing.T) {
	t.Parallel()
	h, cas := cascadeHarness(t)
	ctx := t.Context()
	cal := calClient(h)
	// cheap: sure and right on the 60 "e" items, a near coin flip (22 of
	// 40) on the "h" items; strong: 38 of 40 right on the "h" items and
	// right on every "e" item.
	var recs []*pb.RawOutcome
	recs = append(recs, keyedRecords("cheap", "e", 60, 60, 95)...)
	recs = append(recs, keyedRecords("cheap", "h", 40, 22, 55)...)
	recs = append(recs, keyedRecords("strong", "e", 60, 60, 90)...)
	recs = append(recs, keyedRecords("strong", "h", 40, 38, 90)...)
	importRecords(t, cal, recs)

	fit, err := cas.FitCascade(ctx, &pb.FitCascadeRequest{Stages: stagesOf("cheap", "strong"), Target: 0.9, Risk: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	if !fit.Certified || fit.Items != 100 || fit.Cascade != "cheap > strong @0.9/0.05" {
		t.Fatalf("fit: %v", fit)
	}
	// The threshold lies between the cheap judge's unsure (0.77) and the
	// strong judge's (0.95) identity probabilities.
	if fit.Threshold <= 0.773 || fit.Threshold > 0.95 || fit.LowerBound < 0.9 {
		t.Fatalf("threshold %v bound %v", fit.Threshold, fit.LowerBound)
	}
	if s := fit.Stages; len(s) != 2 || s[0].Answered != 60 || s[1].Reached != 40 || s[1].Answered != 40 {
		t.Fatalf("stages %v", s)
	}
	if fit.Coverage != 1 || fit.Agreement != 0.98 || fit.CallsPerItem != 1.4 || fit.LastStageCallsPerItem != 1 {
		t.Fatalf("coverage %v agreement %v calls %v vs %v", fit.Coverage, fit.Agreement, fit.CallsPerItem, fit.LastStageCallsPerItem)
	}

	judge := &pb.JudgeConfig{CascadeStages: stagesOf("cheap", "strong"), CascadeTarget: 0.9, CascadeRisk: 0.05}
	tests := []struct {
		name      string
		query     string
		stage     int32
		traceLen  int
		stageName string
	}{
		{"confident item answers at the first stage", "Which is better? " + easyMarker, 0, 1, "cheap"},
		{"unsure item escalates", "Which is better?", 1, 2, "strong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := prefItem(1)
			req.GetPreference().Query = tt.query
			req.Judge = judge
			resp, err := h.connect.Score(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT || resp.Verdict.GetChoice() != 1 {
				t.Fatalf("status %v verdict %v", resp.Status, resp.Verdict)
			}
			if resp.CascadeStage == nil || *resp.CascadeStage != tt.stage || strings.Join(resp.CascadeStageModels, "+") != tt.stageName {
				t.Fatalf("stage %v models %v, want %d %s", resp.CascadeStage, resp.CascadeStageModels, tt.stage, tt.stageName)
			}
			if len(resp.CascadeTrace) != tt.traceLen || !resp.CascadeTrace[tt.traceLen-1].Answered || resp.Cascade != fit.Cascade {
				t.Fatalf("trace %v cascade %q", resp.CascadeTrace, resp.Cascade)
			}
			if !strings.Contains(resp.JudgeProfile, "/"+tt.stageName+"/") {
				t.Fatalf("profile %q is not the answering stage's", resp.JudgeProfile)
			}
		})
	}

	// The cheap judge alone: the unsure item goes to a person.
	if _, err := cas.FitCascade(ctx, &pb.FitCascadeRequest{Stages: stagesOf("cheap"), Target: 0.9, Risk: 0.05}); err != nil {
		t.Fatal(err)
	}
	alone := prefItem(1)
	alone.Judge = &pb.JudgeConfig{CascadeStages: stagesOf("cheap"), CascadeTarget: 0.9, CascadeRisk: 0.05}
	resp, err := h.connect.Score(ctx, alone)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN || resp.ReasonCode != pb.ReasonCode_REASON_CODE_NEEDS_REVIEW || resp.CascadeStage != nil || len(resp.CascadeTrace) != 1 {
		t.Fatalf("unanswered item: status %v reason %v stage %v trace %v", resp.Status, resp.ReasonCode, resp.CascadeStage, resp.CascadeTrace)
	}

	// A cascade fitted for another target has no policy.
	req := prefItem(1)
	req.Judge = &pb.JudgeConfig{CascadeStages: stagesOf("cheap", "strong"), CascadeTarget: 0.85, CascadeRisk: 0.05}
	before := h.fake.Calls()
	_, err = h.connect.Score(ctx, req)
	assertCode(t, err, connect.CodeFailedPrecondition, "judge.cascade_stages", "cheap > strong @0.85/0.05", "no fitted policy")
	if h.fake.Calls() != before {
		t.Fatalf("judge calls for a cascade without a policy")
	}

	// A stage with too few keyed outcomes: the stage and the counts.
	importRecords(t, cal, keyedRecords("other", "e", 10, 10, 80))
	_, err = cas.FitCascade(ctx, &pb.FitCascadeRequest{Stages: stagesOf("cheap", "other"), Target: 0.9, Risk: 0.05})
	assertCode(t, err, connect.CodeFailedPrecondition, "stages[1]", `"other"`, "has 10 keyed outcomes", "10 items aligned", "at least 60")
}

func TestCascadeBadInput(t *testing.T) {
	t.Parallel()
	h, cas := cascadeHarness(t)
	ctx := t.Context()
	score := []struct {
		name  string
		judge *pb.JudgeConfig
		field string
	}{
		{"unknown stage model", &pb.JudgeConfig{CascadeStages: stagesOf("cheap", "nope"), CascadeTarget: 0.9, CascadeRisk: 0.05}, "judge.cascade_stages[1].models[0]"},
		{"empty stage", &pb.JudgeConfig{CascadeStages: []*pb.CascadeStage{{}}, CascadeTarget: 0.9, CascadeRisk: 0.05}, "judge.cascade_stages[0].models"},
		{"target 1", &pb.JudgeConfig{CascadeStages: stagesOf("cheap", "strong"), CascadeTarget: 1, CascadeRisk: 0.05}, "judge.cascade_target"},
		{"target 0.5", &pb.JudgeConfig{CascadeStages: stagesOf("cheap", "strong"), CascadeTarget: 0.5, CascadeRisk: 0.05}, "judge.cascade_target"},
		{"risk 0", &pb.JudgeConfig{CascadeStages: stagesOf("cheap", "strong"), CascadeTarget: 0.9}, "judge.cascade_risk"},
		{"risk 0.5", &pb.JudgeConfig{CascadeStages: stagesOf("cheap", "strong"), CascadeTarget: 0.9, CascadeRisk: 0.5}, "judge.cascade_risk"},
		{"target without stages", &pb.JudgeConfig{CascadeTarget: 0.9, CascadeRisk: 0.05}, "judge.cascade_target"},
	}
	for _, tt := range score {
		t.Run("score/"+tt.name, func(t *testing.T) {
			req := prefItem(0)
			req.Judge = tt.judge
			_, err := h.connect.Score(ctx, req)
			assertInvalidField(t, err, tt.field)
		})
	}
	fit := []struct {
		name  string
		req   *pb.FitCascadeRequest
		field string
	}{
		{"no stages", &pb.FitCascadeRequest{Target: 0.9, Risk: 0.05}, "stages"},
		{"unknown model", &pb.FitCascadeRequest{Stages: stagesOf("cheap+nope"), Target: 0.9, Risk: 0.05}, "stages[0].models[1]"},
		{"model twice", &pb.FitCascadeRequest{Stages: stagesOf("cheap+cheap"), Target: 0.9, Risk: 0.05}, "stages[0].models[1]"},
		{"target 0.4", &pb.FitCascadeRequest{Stages: stagesOf("cheap"), Target: 0.4, Risk: 0.05}, "target"},
		{"risk 0.7", &pb.FitCascadeRequest{Stages: stagesOf("cheap"), Target: 0.9, Risk: 0.7}, "risk"},
		{"five stages", &pb.FitCascadeRequest{Stages: stagesOf("cheap", "strong", "other", "cheap", "strong"), Target: 0.9, Risk: 0.05}, "stages"},
	}
	for _, tt := range fit {
		t.Run("fit/"+tt.name, func(t *testing.T) {
			_, err := cas.FitCascade(ctx, tt.req)
			assertInvalidField(t, err, tt.field)
		})
	}
	if h.fake.Calls() != 0 || h.judgments(t) != 0 {
		t.Fatalf("%d judge calls and %d judgments for rejected requests", h.fake.Calls(), h.judgments(t))
	}
}

// Keyed imports: a key holding a different record of the same profile and
// model (in the batch or stored) rejects the whole import; the same
// record again is no collision.
func TestImportItemKeys(t *testing.T) {
	t.Parallel()
	h, _ := cascadeHarness(t)
	cal := calClient(h)
	ctx := t.Context()
	stored := keyedRecords("cheap", "k", 3, 2, 70)
	importRecords(t, cal, stored)
	changed := proto.CloneOf(stored[1])
	changed.Correct = !changed.Correct
	otherModel := proto.CloneOf(stored[1])
	otherModel.Model = "strong"
	tests := []struct {
		name    string
		records []*pb.RawOutcome
		field   string // "" when the import is accepted
	}{
		{"same records again", stored, ""},
		{"same key, another model", []*pb.RawOutcome{otherModel}, ""},
		{"collides with a stored record", append(keyedRecords("cheap", "n", 2, 2, 70), changed), "records[2].item_key"},
		{"collides within the batch", append(keyedRecords("strong", "m", 2, 2, 70), keyedRecords("strong", "m", 1, 0, 70)...), "records[2].item_key"},
		{"key without model", []*pb.RawOutcome{{Profile: "p", Certainty: 50, ItemKey: "x"}}, "records[0].model"},
		{"choice out of range", []*pb.RawOutcome{{Profile: "p", Certainty: 50, ItemKey: "x", Model: "cheap", Choice: proto.Int32(2)}}, "records[0].choice"},
	}
	for _, tt := range tests {
		// Sequential: each case reads the counts the previous left.
		before := rawCount(t, h)
		_, err := cal.ImportOutcomes(ctx, &pb.ImportOutcomesRequest{Records: tt.records})
		if tt.field == "" {
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			continue
		}
		assertInvalidField(t, err, tt.field)
		if n := rawCount(t, h); n != before {
			t.Fatalf("%s: %d records written by a refused import", tt.name, n-before)
		}
	}
}
