package server

import (
	"math"
	"sync/atomic"
	"testing"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
)

func TestScoreRejectsBadTargetPrecision(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentPreference("GOOD", 80))
	for _, v := range []float64{0.5, 1, 0, -0.2, 1.5, math.NaN(), math.Inf(1)} {
		req := prefItem(0)
		req.Judge = &pb.JudgeConfig{TargetPrecision: &v}
		_, err := h.connect.Score(t.Context(), req)
		assertInvalidField(t, err, "judge.target_precision")
	}
	if h.fake.Calls() != 0 || h.judgments(t) != 0 {
		t.Fatalf("%d judge calls and %d judgments for rejected requests", h.fake.Calls(), h.judgments(t))
	}
}

// A target on a profile without a calibrator is refused before any judge
// call, naming the profile.
func TestTargetPrecisionNeedsACalibrator(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentPreference("GOOD", 80))
	req := prefItem(0)
	target := 0.9
	req.Judge = &pb.JudgeConfig{TargetPrecision: &target}
	_, err := h.connect.Score(t.Context(), req)
	assertCode(t, err, connect.CodeFailedPrecondition, "judge.target_precision", "preference/judge/", "no active calibrator")
	if h.fake.Calls() != 0 || h.judgments(t) != 0 {
		t.Fatalf("%d judge calls and %d judgments for a refused request", h.fake.Calls(), h.judgments(t))
	}
}

// The caller's target decides high certainty: certainty 90 (190 of 200
// right) is certified at 0.8 and 0.9 but not at 0.97; certainty 60 never
// is. Without a target the fit's (0.9) applies; without a calibrator the
// status says so.
func TestScoreTargetPrecision(t *testing.T) {
	t.Parallel()
	var certainty atomic.Int64
	h := newHarness(t, settable(&certainty))
	cal := calClient(h)
	ctx := t.Context()
	score := func(c int64, target float64) *pb.ScoreResponse {
		t.Helper()
		certainty.Store(c)
		req := prefItem(1)
		if target != 0 {
			req.Judge = &pb.JudgeConfig{TargetPrecision: &target}
		}
		resp, err := h.connect.Score(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if d := score(90, 0).HighCertaintyDetail; d.GetStatus() != pb.HighCertaintyStatus_HIGH_CERTAINTY_STATUS_NO_CALIBRATOR {
		t.Fatalf("uncalibrated verdict: detail %v, want NO_CALIBRATOR", d)
	}
	importRecords(t, cal, records(prefProfile, twoBands...))
	fit, err := cal.FitCalibrator(ctx, &pb.FitCalibratorRequest{Profile: prefProfile, Method: pb.CalibrationMethod_CALIBRATION_METHOD_ISOTONIC})
	if err != nil {
		t.Fatal(err)
	}
	if th := fit.Report.Threshold; !th.Found || th.Basis != "confidence" || th.N != 400 || th.Kept != 200 {
		t.Fatalf("fit threshold %v, want the certainty-90 band certified on the raw certainty of all 400", th)
	}
	if r := fit.Report; r.FixedRule.GetKept() != 200 || r.HeldOut.GetN() != 400 || r.Samples.GetUsed() != 400 {
		t.Fatalf("report: rule %v held out %v samples %v", r.FixedRule, r.HeldOut, r.Samples)
	}
	certified, notCertified := pb.HighCertaintyStatus_HIGH_CERTAINTY_STATUS_CERTIFIED, pb.HighCertaintyStatus_HIGH_CERTAINTY_STATUS_NOT_CERTIFIED
	for _, tc := range []struct {
		certainty  int64
		target     float64
		wantTarget float64
		wantHigh   bool
		wantStatus pb.HighCertaintyStatus
	}{
		{90, 0, 0.9, true, certified},
		{90, 0.8, 0.8, true, certified},
		{90, 0.97, 0.97, false, notCertified},
		{60, 0.8, 0.8, false, certified},
		{60, 0.9, 0.9, false, certified},
	} {
		r := score(tc.certainty, tc.target)
		d := r.HighCertaintyDetail
		if r.HighCertainty != tc.wantHigh || d.GetStatus() != tc.wantStatus || d.GetTargetPrecision() != tc.wantTarget {
			t.Errorf("certainty %d target %v: high %v detail %v; want high %v status %v target %v",
				tc.certainty, tc.target, r.HighCertainty, d, tc.wantHigh, tc.wantStatus, tc.wantTarget)
		}
		if d.GetStatus() == certified && (d.Coverage != 0.5 || d.LowerBound < tc.wantTarget || d.Basis != "confidence") {
			t.Errorf("certainty %d target %v: detail %v, want the certainty-90 half certified", tc.certainty, tc.target, d)
		}
	}
}

// A Venn-Abers calibrator answers with its interval around the probability.
func TestScoreVennAbersInterval(t *testing.T) {
	t.Parallel()
	var certainty atomic.Int64
	certainty.Store(90)
	h := newHarness(t, settable(&certainty))
	cal := calClient(h)
	importRecords(t, cal, records(prefProfile, twoBands...))
	if _, err := cal.FitCalibrator(t.Context(), &pb.FitCalibratorRequest{Profile: prefProfile, Method: pb.CalibrationMethod_CALIBRATION_METHOD_VENN_ABERS}); err != nil {
		t.Fatal(err)
	}
	r, err := h.connect.Score(t.Context(), prefItem(1))
	if err != nil {
		t.Fatal(err)
	}
	p, lo, hi := r.GetCalibratedProbability(), r.GetCalibratedProbabilityLower(), r.GetCalibratedProbabilityUpper()
	if r.CalibratedProbabilityLower == nil || !(lo <= p && p <= hi && hi-lo < 0.02 && math.Abs(p-0.95) < 0.01) {
		t.Fatalf("probability %v interval [%v, %v], want about 0.95 inside a narrow interval", p, lo, hi)
	}
}
