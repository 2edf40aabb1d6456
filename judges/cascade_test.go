package judges

import (
	"errors"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

func identityPolicy(threshold float64, names ...string) CascadePolicy {
	pol := CascadePolicy{Found: true, Threshold: threshold, Target: 0.9, Risk: 0.05}
	for _, n := range names {
		pol.Stages = append(pol.Stages, StagePolicy{Name: n, Calibrator: IdentityStageCalibrator()})
	}
	return pol
}

func TestJudgeCascade(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name             string
		cheap, strong    llmfake.Behavior
		wantStage        int
		wantStatus       pb.JudgmentStatus
		wantCode         pb.ReasonCode
		wantTrace, calls int
	}{
		{"cheap confident answers", fakejudge.ContentPreference("GOOD", 99), fakejudge.ContentPreference("GOOD", 99), 0, engVerdict, pb.ReasonCode_REASON_CODE_UNSPECIFIED, 1, 2},
		{"cheap orders disagree: escalate", fakejudge.FirstLabel(95), fakejudge.ContentPreference("GOOD", 90), 1, engVerdict, pb.ReasonCode_REASON_CODE_UNSPECIFIED, 2, 4},
		{"cheap unsure: escalate", fakejudge.ContentPreference("GOOD", 40), fakejudge.ContentPreference("GOOD", 90), 1, engVerdict, pb.ReasonCode_REASON_CODE_UNSPECIFIED, 2, 4},
		{"nobody sure: needs review", fakejudge.ContentPreference("GOOD", 40), fakejudge.ContentPreference("GOOD", 50), -1, engAbstain, pb.ReasonCode_REASON_CODE_NEEDS_REVIEW, 2, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := engNew(t, engModel{name: "cheap", behavior: tc.cheap}, engModel{name: "strong", behavior: tc.strong})
			cj, err := e.JudgeCascade(t.Context(), engItem(), []Config{engCfg("cheap"), engCfg("strong")}, identityPolicy(0.9, "cheap", "strong"))
			if err != nil {
				t.Fatal(err)
			}
			if cj.Stage != tc.wantStage || cj.Status != tc.wantStatus || cj.Code != tc.wantCode || len(cj.Trace) != tc.wantTrace {
				t.Fatalf("stage %d status %v code %v trace %d; want %d %v %v %d (%s)", cj.Stage, cj.Status, cj.Code, len(cj.Trace), tc.wantStage, tc.wantStatus, tc.wantCode, tc.wantTrace, cj.Reason)
			}
			if cj.Usage.LlmCalls != int64(tc.calls) {
				t.Errorf("%d calls, want %d (every stage that ran)", cj.Usage.LlmCalls, tc.calls)
			}
			if tc.wantStage >= 0 && (cj.Verdict == nil || cj.Verdict.GetChoice() != 1 || cj.StageName != []string{"cheap", "strong"}[tc.wantStage]) {
				t.Errorf("verdict %v from %q, want option 1", cj.Verdict, cj.StageName)
			}
			if tc.wantStage < 0 && cj.Verdict != nil {
				t.Errorf("a judgment needing review carries verdict %v", cj.Verdict)
			}
		})
	}
}

func TestJudgeCascadeStagesMustMatchPolicy(t *testing.T) {
	t.Parallel()
	e := engNew(t, engModel{name: "cheap", behavior: fakejudge.FirstLabel(90)})
	_, err := e.JudgeCascade(t.Context(), engItem(), []Config{engCfg("cheap")}, identityPolicy(0.9, "cheap", "strong"))
	if !errors.Is(err, ErrInvalidCascade) {
		t.Fatalf("got %v, want ErrInvalidCascade", err)
	}
}
