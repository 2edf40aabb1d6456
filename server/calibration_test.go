package server

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"connectrpc.com/connect"
	"github.com/personajudge/personajudge/calibration"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
	"github.com/personajudge/personajudge/judges"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// prefProfile is the profile the harness's preference judgments get.
const prefProfile = "preference/judge/" + judges.PreferencePromptVersion + "/cyclic"

// calClient is a CalibrationService client on the harness's server, over
// the gRPC protocol (h2c), as a pipeline would call it.
func calClient(h *harness) personajudgev1connect.CalibrationServiceClient {
	h2c := &http.Client{Transport: &http.Transport{Protocols: unencryptedHTTP2()}}
	return personajudgev1connect.NewCalibrationServiceClient(h2c, h.srv.URL, connect.WithGRPC())
}

// group is n outcomes stated at one certainty, of which `right` were right.
type group struct {
	certainty float64
	n, right  int
}

func records(profile string, groups ...group) []*pb.RawOutcome {
	var out []*pb.RawOutcome
	for _, g := range groups {
		for i := range g.n {
			out = append(out, &pb.RawOutcome{Profile: profile, Certainty: g.certainty, Correct: i < g.right})
		}
	}
	return out
}

func importRecords(t *testing.T, cal personajudgev1connect.CalibrationServiceClient, recs []*pb.RawOutcome) {
	t.Helper()
	resp, err := cal.ImportOutcomes(t.Context(), &pb.ImportOutcomesRequest{Records: recs})
	if err != nil || int(resp.Imported) != len(recs) {
		t.Fatalf("import: %v, %v", resp, err)
	}
}

// twoBands is a judge whose certainty 90 is right 95% of the time and whose
// certainty 60 is a coin flip (55%): a threshold exists, and the identity
// map (0.95 and 0.80) is badly overconfident on the low band.
var twoBands = []group{{90, 200, 190}, {60, 200, 110}}

func assertCode(t *testing.T, err error, code connect.Code, contains ...string) {
	t.Helper()
	if connect.CodeOf(err) != code {
		t.Fatalf("err = %v, want %v", err, code)
	}
	for _, c := range contains {
		if !strings.Contains(err.Error(), c) {
			t.Fatalf("error %q does not mention %q", err, c)
		}
	}
}

func rawCount(t *testing.T, h *harness) int {
	t.Helper()
	var n int
	if err := h.store.DB().QueryRow(`SELECT count(*) FROM raw_outcomes`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportOutcomesBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentPreference("GOOD", 80))
	cal := calClient(h)
	tests := []struct {
		name  string
		edit  func(*pb.RawOutcome)
		field string
	}{
		{"NaN certainty", func(r *pb.RawOutcome) { r.Certainty = math.NaN() }, "records[2].certainty"},
		{"certainty 0", func(r *pb.RawOutcome) { r.Certainty = 0 }, "records[2].certainty"},
		{"certainty 101", func(r *pb.RawOutcome) { r.Certainty = 101 }, "records[2].certainty"},
		{"infinite certainty", func(r *pb.RawOutcome) { r.Certainty = math.Inf(1) }, "records[2].certainty"},
		{"empty profile", func(r *pb.RawOutcome) { r.Profile = "  " }, "records[2].profile"},
		{"one option", func(r *pb.RawOutcome) { r.Options = 1 }, "records[2].options"},
		{"negative options", func(r *pb.RawOutcome) { r.Options = -2 }, "records[2].options"},
		{"consistency above 1", func(r *pb.RawOutcome) { r.PositionConsistency = proto.Float64(1.5) }, "records[2].position_consistency"},
		{"NaN logprob", func(r *pb.RawOutcome) { r.LogprobConfidence = proto.Float64(math.NaN()) }, "records[2].logprob_confidence"},
		{"logprob above 1", func(r *pb.RawOutcome) { r.LogprobConfidence = proto.Float64(1.01) }, "records[2].logprob_confidence"},
		{"negative logprob confidence", func(r *pb.RawOutcome) { r.LogprobConfidence = proto.Float64(-0.1) }, "records[2].logprob_confidence"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := records("p", group{80, 4, 3})
			tt.edit(recs[2])
			_, err := cal.ImportOutcomes(t.Context(), &pb.ImportOutcomesRequest{Records: recs})
			assertInvalidField(t, err, tt.field)
		})
	}
	_, err := cal.ImportOutcomes(t.Context(), &pb.ImportOutcomesRequest{})
	assertInvalidField(t, err, "records")
	if n := rawCount(t, h); n != 0 {
		t.Fatalf("%d records stored by rejected batches", n)
	}
	// The boundaries are accepted.
	importRecords(t, cal, []*pb.RawOutcome{{Profile: "p", Certainty: 1}, {Profile: "p", Certainty: 100, Options: 10,
		PositionConsistency: proto.Float64(0), LogprobConfidence: proto.Float64(1)}})
}

// saveTask stores a judgment of any task directly, for labelling tests of
// tasks whose judges live elsewhere.
func saveTask(t *testing.T, h *harness, id string, req *pb.ScoreRequest) {
	t.Helper()
	resp := &pb.ScoreResponse{JudgmentId: id, Status: verdict, JudgeProfile: "other", CreatedAt: timestamppb.Now()}
	if err := h.store.SaveJudgment(t.Context(), "test", req, resp); err != nil {
		t.Fatal(err)
	}
}

func TestRecordOutcomes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentPreference("GOOD", 80))
	ctx := t.Context()
	cal := calClient(h)
	var ids []string
	for _, better := range []int{0, 1} {
		resp, err := h.connect.Score(ctx, prefItem(better))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, resp.JudgmentId)
	}
	saveTask(t, h, "role-1", &pb.ScoreRequest{Task: &pb.ScoreRequest_RoleIdentification{RoleIdentification: &pb.RoleIdentificationTask{
		TargetUtterance: "Ahoy.", Candidates: []*pb.CandidateRole{{Name: "a"}, {Name: "b"}, {Name: "c"}}}}})
	saveTask(t, h, "adh-1", &pb.ScoreRequest{Task: &pb.ScoreRequest_Adherence{Adherence: &pb.PersonaAdherenceTask{Persona: "p"}}})
	out := func(id string, l *pb.Label) *pb.Outcome { return &pb.Outcome{JudgmentId: id, Label: l} }
	choice := func(c int32) *pb.Label { return &pb.Label{Choice: proto.Int32(c)} }
	score := func(s float64) *pb.Label { return &pb.Label{Score: proto.Float64(s)} }

	bad := []struct {
		name     string
		outcomes []*pb.Outcome
		field    string
	}{
		{"empty", nil, "outcomes"},
		{"unknown judgment", []*pb.Outcome{out(ids[0], choice(0)), out("0193c4c2-0000-7000-8000-000000000000", choice(0))}, "outcomes[1].judgment_id"},
		{"empty judgment id", []*pb.Outcome{out("", choice(0))}, "outcomes[0].judgment_id"},
		{"duplicate ids", []*pb.Outcome{out(ids[0], choice(0)), out(ids[1], choice(0)), out(ids[0], choice(0))}, "outcomes[2].judgment_id"},
		{"no label", []*pb.Outcome{out(ids[0], nil)}, "outcomes[0].label"},
		{"empty label", []*pb.Outcome{out(ids[0], &pb.Label{})}, "outcomes[0].label"},
		{"choice and tie", []*pb.Outcome{out(ids[0], &pb.Label{Choice: proto.Int32(0), Tie: true})}, "outcomes[0].label"},
		{"negative choice", []*pb.Outcome{out(ids[0], choice(-1))}, "outcomes[0].label.choice"},
		{"choice out of range", []*pb.Outcome{out(ids[0], choice(0)), out(ids[1], choice(2))}, "outcomes[1].label.choice"},
		{"score on a preference", []*pb.Outcome{out(ids[0], score(3))}, "outcomes[0].label.score"},
		{"tie on role identification", []*pb.Outcome{out("role-1", &pb.Label{Tie: true})}, "outcomes[0].label.tie"},
		{"role choice out of range", []*pb.Outcome{out("role-1", choice(3))}, "outcomes[0].label.choice"},
		{"choice on adherence", []*pb.Outcome{out("adh-1", choice(1))}, "outcomes[0].label.score"},
		{"score below 1", []*pb.Outcome{out("adh-1", score(0.5))}, "outcomes[0].label.score"},
		{"NaN score", []*pb.Outcome{out("adh-1", score(math.NaN()))}, "outcomes[0].label.score"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cal.RecordOutcomes(ctx, &pb.RecordOutcomesRequest{Outcomes: tt.outcomes})
			assertInvalidField(t, err, tt.field)
		})
	}
	if n := outcomes(t, h); n != 0 {
		t.Fatalf("%d labels stored by rejected batches", n)
	}

	good := []*pb.Outcome{out(ids[0], choice(0)), out(ids[1], &pb.Label{Tie: true}), out("role-1", choice(2)), out("adh-1", score(4))}
	resp, err := cal.RecordOutcomes(ctx, &pb.RecordOutcomesRequest{Outcomes: good})
	if err != nil || resp.Recorded != 4 || resp.Unchanged != 0 {
		t.Fatalf("record: %v, %v", resp, err)
	}
	// Idempotent.
	resp, err = cal.RecordOutcomes(ctx, &pb.RecordOutcomesRequest{Outcomes: good})
	if err != nil || resp.Recorded != 0 || resp.Unchanged != 4 {
		t.Fatalf("repeat: %v, %v", resp, err)
	}
	// A different label is refused, naming the judgment, and the batch's
	// other (new) label is not written either.
	_, err = cal.RecordOutcomes(ctx, &pb.RecordOutcomesRequest{Outcomes: []*pb.Outcome{out("adh-1", score(4)), out(ids[0], choice(1))}})
	assertCode(t, err, connect.CodeFailedPrecondition, "outcomes[1].judgment_id", ids[0], "choice 0", "overwrite")
	resp, err = cal.RecordOutcomes(ctx, &pb.RecordOutcomesRequest{Outcomes: []*pb.Outcome{out(ids[0], choice(1))}, Overwrite: true})
	if err != nil || resp.Recorded != 1 {
		t.Fatalf("overwrite: %v, %v", resp, err)
	}
	if l, err := h.store.Outcome(ctx, ids[0]); err != nil || l.GetChoice() != 1 {
		t.Fatalf("label after overwrite: %v, %v", l, err)
	}
}

func outcomes(t *testing.T, h *harness) int {
	t.Helper()
	var n int
	if err := h.store.DB().QueryRow(`SELECT count(*) FROM outcomes`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestFitCalibratorBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentPreference("GOOD", 80))
	cal := calClient(h)
	ctx := t.Context()
	iso := pb.CalibrationMethod_CALIBRATION_METHOD_ISOTONIC
	platt := pb.CalibrationMethod_CALIBRATION_METHOD_PLATT
	tests := []struct {
		name  string
		req   *pb.FitCalibratorRequest
		field string
	}{
		{"no profile", &pb.FitCalibratorRequest{Method: iso}, "profile"},
		{"unknown method", &pb.FitCalibratorRequest{Profile: "p", Method: 9}, "method"},
		{"target 0.5", &pb.FitCalibratorRequest{Profile: "p", Method: iso, TargetPrecision: 0.5}, "target_precision"},
		{"target 1", &pb.FitCalibratorRequest{Profile: "p", Method: iso, TargetPrecision: 1}, "target_precision"},
		{"negative target", &pb.FitCalibratorRequest{Profile: "p", Method: iso, TargetPrecision: -0.9}, "target_precision"},
		{"NaN target", &pb.FitCalibratorRequest{Profile: "p", Method: iso, TargetPrecision: math.NaN()}, "target_precision"},
		{"one fold", &pb.FitCalibratorRequest{Profile: "p", Method: iso, Folds: 1}, "folds"},
		{"bins on isotonic", &pb.FitCalibratorRequest{Profile: "p", Method: iso, Bins: 5}, "bins"},
		{"too many bins", &pb.FitCalibratorRequest{Profile: "p", Method: pb.CalibrationMethod_CALIBRATION_METHOD_HISTOGRAM, Bins: 1000}, "bins"},
		{"consistency on isotonic", &pb.FitCalibratorRequest{Profile: "p", Method: iso, UsePositionConsistency: true}, "use_position_consistency"},
		{"active logprob calibrator", &pb.FitCalibratorRequest{Profile: "p", Method: platt, UseLogprob: true}, "use_logprob"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cal.FitCalibrator(ctx, tt.req)
			assertInvalidField(t, err, tt.field)
		})
	}

	// Too few outcomes: say how many there are and how many are needed.
	importRecords(t, cal, records("p", group{80, 49, 40}))
	_, err := cal.FitCalibrator(ctx, &pb.FitCalibratorRequest{Profile: "p", Method: iso})
	assertCode(t, err, connect.CodeFailedPrecondition, "49", "50")
	// A Platt feature some outcomes lack is refused, not read as zero.
	importRecords(t, cal, records("p", group{70, 10, 5}))
	_, err = cal.FitCalibrator(ctx, &pb.FitCalibratorRequest{Profile: "p", Method: platt, UsePositionConsistency: true})
	assertCode(t, err, connect.CodeFailedPrecondition, "use_position_consistency", "59 of 59")
	var n int
	h.store.DB().QueryRow(`SELECT count(*) FROM calibrators`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d calibrators stored by failed fits", n)
	}
}

func TestValidateFitDefaults(t *testing.T) {
	t.Parallel()
	p, fe := validateFit(&pb.FitCalibratorRequest{Profile: "p", Method: pb.CalibrationMethod_CALIBRATION_METHOD_HISTOGRAM})
	if fe != nil || p.folds != DefaultFolds || p.target != DefaultTargetPrecision || p.opts.Bins != 0 || p.method != "histogram" {
		t.Fatalf("defaults: %+v, %v", p, fe)
	}
	p, fe = validateFit(&pb.FitCalibratorRequest{Profile: "p", Method: pb.CalibrationMethod_CALIBRATION_METHOD_PLATT,
		Folds: 10, TargetPrecision: 0.95, UsePositionConsistency: true, UseLogprob: true, DoNotActivate: true})
	if fe != nil || p.folds != 10 || p.target != 0.95 || !p.opts.UseConsistency || !p.opts.UseLogprob || p.method != "platt" {
		t.Fatalf("explicit: %+v, %v", p, fe)
	}
}

// Fit, report, version and activation over the RPCs, on imported outcomes.
func TestFitCalibratorAndReport(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentPreference("GOOD", 80))
	cal := calClient(h)
	ctx := t.Context()
	_, err := cal.GetCalibrationReport(ctx, &pb.GetCalibrationReportRequest{Profile: "p"})
	assertCode(t, err, connect.CodeNotFound, "p")
	_, err = cal.GetCalibrationReport(ctx, &pb.GetCalibrationReportRequest{})
	assertInvalidField(t, err, "profile")

	importRecords(t, cal, records("p", twoBands...))
	// Outcomes but no calibrator: the raw side only.
	rep, err := cal.GetCalibrationReport(ctx, &pb.GetCalibrationReportRequest{Profile: "p"})
	if err != nil || rep.Report.Raw.GetN() != 400 || rep.Report.Calibrated != nil || rep.Report.CalibratorVersion != "" {
		t.Fatalf("raw-only report: %v, %v", rep, err)
	}
	if got := rep.Report.Raw.Accuracy; math.Abs(got-0.75) > 1e-12 {
		t.Fatalf("raw accuracy = %v, want 0.75", got)
	}

	methods := []pb.CalibrationMethod{
		pb.CalibrationMethod_CALIBRATION_METHOD_ISOTONIC,
		pb.CalibrationMethod_CALIBRATION_METHOD_HISTOGRAM,
		pb.CalibrationMethod_CALIBRATION_METHOD_PLATT,
	}
	var fits []*pb.FitCalibratorResponse
	for i, m := range methods {
		fit, err := cal.FitCalibrator(ctx, &pb.FitCalibratorRequest{Profile: "p", Method: m})
		if err != nil {
			t.Fatalf("%v: %v", m, err)
		}
		c, r := fit.Calibrator, fit.Report
		if want := "v" + string(rune('1'+i)); c.Version != want || !c.Active || c.N != 400 || c.Method != m || r.CalibratorVersion != want {
			t.Fatalf("%v: calibrator %v (report version %q)", m, c, r.CalibratorVersion)
		}
		if r.Raw.N != 400 || r.Calibrated.N != 400 || len(r.Calibrated.Bins) != 10 || len(r.Calibrated.RiskCoverage) == 0 {
			t.Fatalf("%v: report sizes raw %d calibrated %d bins %d", m, r.Raw.N, r.Calibrated.N, len(r.Calibrated.Bins))
		}
		// Identity: 0.5+0.5*89/99 on the 95% band, 0.5+0.5*59/99 on the 55%
		// band, half the outcomes each.
		wantECE := 0.5*math.Abs(0.95-(0.5+0.5*89/99.0)) + 0.5*math.Abs(0.55-(0.5+0.5*59/99.0))
		if math.Abs(r.Raw.Ece10-wantECE) > 1e-9 {
			t.Fatalf("%v: raw ECE10 = %v, want %v", m, r.Raw.Ece10, wantECE)
		}
		if r.Calibrated.Ece10 >= r.Raw.Ece10/2 {
			t.Fatalf("%v: held-out calibrated ECE10 %v is not well below raw %v", m, r.Calibrated.Ece10, r.Raw.Ece10)
		}
		th := r.Threshold
		// Keeping the 90-band: 190/200 right, a lower bound above 0.9.
		if !th.Found || th.Kept != 200 || th.TargetPrecision != 0.9 || th.Precision != 0.95 || th.LowerBound < 0.9 || th.Coverage != 0.5 {
			t.Fatalf("%v: threshold %v", m, th)
		}
		if !proto.Equal(c.Threshold, th) {
			t.Fatalf("%v: calibrator threshold %v differs from the report's %v", m, c.Threshold, th)
		}
		fits = append(fits, fit)
	}
	// The report is the active calibrator's stored held-out report.
	rep, err = cal.GetCalibrationReport(ctx, &pb.GetCalibrationReportRequest{Profile: "p"})
	if err != nil || !proto.Equal(rep.Report, fits[2].Report) {
		t.Fatalf("active report differs from the last fit's: %v", err)
	}
	rep, err = cal.GetCalibrationReport(ctx, &pb.GetCalibrationReportRequest{Profile: "p", CalibratorVersion: "v1"})
	if err != nil || !proto.Equal(rep.Report, fits[0].Report) {
		t.Fatalf("v1 report differs from the first fit's: %v", err)
	}
	_, err = cal.GetCalibrationReport(ctx, &pb.GetCalibrationReportRequest{Profile: "p", CalibratorVersion: "v7"})
	assertCode(t, err, connect.CodeNotFound, "v7")

	// An unreachable target: stored, no threshold, and it says so.
	fit, err := cal.FitCalibrator(ctx, &pb.FitCalibratorRequest{Profile: "p", Method: methods[0], TargetPrecision: 0.99, DoNotActivate: true})
	if err != nil || fit.Calibrator.Active || fit.Calibrator.Version != "v4" || fit.Report.Threshold.Found || fit.Report.Threshold.TargetPrecision != 0.99 {
		t.Fatalf("unreachable target: %v, %v", fit, err)
	}
	if act, err := h.store.ActiveCalibrator(ctx, "p"); err != nil || act.Version != "v3" {
		t.Fatalf("do_not_activate changed the active calibrator: %v, %v", act, err)
	}
}

// settable is a content-following judge whose stated certainty the test
// sets between calls.
func settable(c *atomic.Int64) llmfake.Behavior {
	return func(r *llmfake.Request, n int64) llmfake.Reply {
		return fakejudge.ContentPreference("GOOD", int(c.Load()))(r, n)
	}
}

// Score carries the active calibrator's probability, version and
// high_certainty; min_calibrated_probability turns a weak verdict into
// ABSTAIN; a new fit takes effect at once; the active calibrator is served
// from memory, not read from the store on every call.
func TestScoreCalibrated(t *testing.T) {
	t.Parallel()
	var certainty atomic.Int64
	certainty.Store(90)
	h := newHarness(t, settable(&certainty))
	cal := calClient(h)
	ctx := t.Context()
	score := func(c int64, min float64) *pb.ScoreResponse {
		t.Helper()
		certainty.Store(c)
		req := prefItem(1)
		req.Judge = &pb.JudgeConfig{MinCalibratedProbability: min}
		resp, err := h.connect.Score(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := h.connect.GetJudgment(ctx, &pb.GetJudgmentRequest{JudgmentId: resp.JudgmentId})
		if err != nil || !proto.Equal(got.Judgment, resp) {
			t.Fatalf("stored judgment differs from the response (%v)", err)
		}
		return resp
	}

	// No calibrator yet: nothing calibrated (a minimum is refused, see
	// TestMinCalibratedProbabilityNeedsACalibrator).
	if r := score(60, 0); r.Status != verdict || r.CalibratedProbability != nil || r.HighCertainty || r.CalibratorVersion != "" {
		t.Fatalf("uncalibrated: %v", r)
	}

	importRecords(t, cal, records(prefProfile, twoBands...))
	fit, err := cal.FitCalibrator(ctx, &pb.FitCalibratorRequest{Profile: prefProfile, Method: pb.CalibrationMethod_CALIBRATION_METHOD_ISOTONIC})
	if err != nil {
		t.Fatal(err)
	}
	if !fit.Calibrator.Threshold.Found {
		t.Fatalf("no threshold: %v", fit.Calibrator.Threshold)
	}

	// Each band's accuracy shrunk toward the base rate .75 with
	// calibration.Prior pseudo-outcomes.
	base := float64(twoBands[0].right+twoBands[1].right) / float64(twoBands[0].n+twoBands[1].n)
	hi := (float64(twoBands[0].right) + calibration.Prior*base) / (float64(twoBands[0].n) + calibration.Prior)
	lo := (float64(twoBands[1].right) + calibration.Prior*base) / (float64(twoBands[1].n) + calibration.Prior)
	tests := []struct {
		certainty  int64
		min        float64
		wantP      float64
		wantHigh   bool
		wantStatus pb.JudgmentStatus
	}{
		{90, 0, hi, true, verdict},
		{60, 0, lo, false, verdict},
		{90, 0.8, hi, true, verdict},
		{60, 0.8, lo, false, abstain},
		{60, 0.5, lo, false, verdict},
	}
	for _, tt := range tests {
		r := score(tt.certainty, tt.min)
		if r.CalibratedProbability == nil || math.Abs(r.GetCalibratedProbability()-tt.wantP) > 1e-6 || r.CalibratorVersion != "v1" {
			t.Fatalf("certainty %d: calibrated %v version %q, want %v v1", tt.certainty, r.CalibratedProbability, r.CalibratorVersion, tt.wantP)
		}
		if r.HighCertainty != tt.wantHigh || r.Status != tt.wantStatus {
			t.Fatalf("certainty %d min %v: high %v status %v, want %v %v", tt.certainty, tt.min, r.HighCertainty, r.Status, tt.wantHigh, tt.wantStatus)
		}
		if tt.wantStatus == abstain && r.ReasonCode != pb.ReasonCode_REASON_CODE_BELOW_MIN_PROBABILITY {
			t.Fatalf("abstention below the minimum has reason code %v", r.ReasonCode)
		}
		if tt.wantStatus == abstain && (r.Verdict != nil || !strings.Contains(r.Reason, fmt.Sprintf("%.4f", lo)) || !strings.Contains(r.Reason, "0.8")) {
			t.Fatalf("abstention: verdict %v reason %q; want no verdict and both numbers", r.Verdict, r.Reason)
		}
	}

	// A new fit is active on the next call; one stored without activation
	// is not.
	if _, err := cal.FitCalibrator(ctx, &pb.FitCalibratorRequest{Profile: prefProfile, Method: pb.CalibrationMethod_CALIBRATION_METHOD_PLATT}); err != nil {
		t.Fatal(err)
	}
	if r := score(90, 0); r.CalibratorVersion != "v2" {
		t.Fatalf("after a second fit: version %q, want v2", r.CalibratorVersion)
	}
	if _, err := cal.FitCalibrator(ctx, &pb.FitCalibratorRequest{Profile: prefProfile, Method: pb.CalibrationMethod_CALIBRATION_METHOD_HISTOGRAM, DoNotActivate: true}); err != nil {
		t.Fatal(err)
	}
	if r := score(90, 0); r.CalibratorVersion != "v2" {
		t.Fatalf("after an inactive fit: version %q, want v2", r.CalibratorVersion)
	}
	// With the rows gone from SQLite, Score still calibrates: it reads the
	// cache, not the store.
	if _, err := h.store.DB().Exec(`DELETE FROM calibrators`); err != nil {
		t.Fatal(err)
	}
	if r := score(90, 0); r.CalibratorVersion != "v2" || r.CalibratedProbability == nil {
		t.Fatalf("cached calibrator not used: version %q", r.CalibratorVersion)
	}
}

// Abstentions are not calibrated: there is no verdict to be right about.
func TestScoreAbstentionIsNotCalibrated(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.FirstLabel(95))
	cal := calClient(h)
	ctx := t.Context()
	importRecords(t, cal, records(prefProfile, twoBands...))
	if _, err := cal.FitCalibrator(ctx, &pb.FitCalibratorRequest{Profile: prefProfile, Method: pb.CalibrationMethod_CALIBRATION_METHOD_ISOTONIC}); err != nil {
		t.Fatal(err)
	}
	r, err := h.connect.Score(ctx, prefItem(0))
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != abstain || r.CalibratedProbability != nil || r.CalibratorVersion != "" || r.HighCertainty {
		t.Fatalf("abstention: status %v calibrated %v version %q high %v", r.Status, r.CalibratedProbability, r.CalibratorVersion, r.HighCertainty)
	}
}

func TestScoreRejectsBadMinCalibratedProbability(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentPreference("GOOD", 80))
	for _, v := range []float64{-0.1, 1.5, math.NaN(), math.Inf(1)} {
		req := prefItem(0)
		req.Judge = &pb.JudgeConfig{MinCalibratedProbability: v}
		_, err := h.connect.Score(t.Context(), req)
		assertInvalidField(t, err, "judge.min_calibrated_probability")
	}
	if h.fake.Calls() != 0 {
		t.Fatalf("rejected requests reached the LLM %d times", h.fake.Calls())
	}
}

// Labels on stored judgments feed the fit: correctness is the stored
// verdict against the label, confidence the identity map of the verbal
// certainty.
func TestFitOnLabelledJudgments(t *testing.T) {
	t.Parallel()
	var certainty atomic.Int64
	h := newHarness(t, settable(&certainty))
	cal := calClient(h)
	ctx := t.Context()
	var outs []*pb.Outcome
	right := 0
	for i := range 60 {
		c := int64(50 + 40*(i%2)) // alternate 50 and 90
		certainty.Store(c)
		// Distinct items: repeats of one item would count once (see
		// store.LabelledSamples).
		item := prefItem(1)
		item.GetPreference().Persona += fmt.Sprintf(" (reader %d)", i)
		resp, err := h.connect.Score(ctx, item)
		if err != nil || resp.Status != verdict || resp.Verdict.GetChoice() != 1 {
			t.Fatalf("score %d: %v, %v", i, resp, err)
		}
		// At 90 the judge is right 9 times in 10 (by label); at 50, half.
		truth := int32(1)
		if c == 90 && i%20 == 1 || c == 50 && i%4 == 0 {
			truth = 0
		}
		if truth == 1 {
			right++
		}
		outs = append(outs, &pb.Outcome{JudgmentId: resp.JudgmentId, Label: &pb.Label{Choice: proto.Int32(truth)}})
	}
	if _, err := cal.RecordOutcomes(ctx, &pb.RecordOutcomesRequest{Outcomes: outs}); err != nil {
		t.Fatal(err)
	}
	rep, err := cal.GetCalibrationReport(ctx, &pb.GetCalibrationReportRequest{Profile: prefProfile})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Report.Raw.N != 60 || math.Abs(rep.Report.Raw.Accuracy-float64(right)/60) > 1e-12 {
		t.Fatalf("raw n %d accuracy %v, want 60 and %v", rep.Report.Raw.N, rep.Report.Raw.Accuracy, float64(right)/60)
	}
	// Mean identity confidence: (0.5+0.5*49/99 + 0.5+0.5*89/99) / 2.
	var sum float64
	var n int32
	for _, b := range rep.Report.Raw.Bins {
		sum += b.MeanConfidence * float64(b.Count)
		n += b.Count
	}
	if want := 0.5 + 0.25*(49+89)/99.0; n != 60 || math.Abs(sum/60-want) > 1e-9 {
		t.Fatalf("mean raw confidence %v over %d, want %v", sum/60, n, want)
	}
	fit, err := cal.FitCalibrator(ctx, &pb.FitCalibratorRequest{Profile: prefProfile, Method: pb.CalibrationMethod_CALIBRATION_METHOD_PLATT, UsePositionConsistency: true})
	if err != nil || fit.Calibrator.N != 60 {
		t.Fatalf("fit on labelled judgments: %v, %v", fit, err)
	}
}

// The CalibrationService is served next to JudgeService: health knows it.
func TestCalibrationServiceHealth(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentPreference("GOOD", 80))
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/grpc.health.v1.Health/Check",
		strings.NewReader(`{"service":"`+personajudgev1connect.CalibrationServiceName+`"}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("health of %s: HTTP %d", personajudgev1connect.CalibrationServiceName, res.StatusCode)
	}
}

// A request that leaves the method unspecified gets the method with the
// lowest held-out log loss, and the stored calibrator says which.
func TestFitCalibratorChoosesMethod(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentPreference("GOOD", 80))
	cal := calClient(h)
	ctx := t.Context()
	importRecords(t, cal, records("p", twoBands...))
	fit, err := cal.FitCalibrator(ctx, &pb.FitCalibratorRequest{Profile: "p"})
	if err != nil {
		t.Fatal(err)
	}
	var samples []calibration.Sample
	for _, g := range twoBands {
		for i := range g.n {
			samples = append(samples, calibration.Sample{Confidence: calibration.IdentityProbability(float64(g.certainty), 2), Correct: i < g.right})
		}
	}
	want, err := calibration.ChooseMethod(samples, calibration.Options{}, DefaultFolds, crossFitSeed)
	if err != nil {
		t.Fatal(err)
	}
	if got := fit.Calibrator.Method; got != methodEnum(want.Method) || got == pb.CalibrationMethod_CALIBRATION_METHOD_UNSPECIFIED {
		t.Fatalf("chose %v, want %v (scores %+v)", got, want.Method, want.Scores)
	}
	if !fit.Report.Threshold.Found || int(fit.Report.Calibrated.N) != twoBands[0].n+twoBands[1].n {
		t.Fatalf("report %v", fit.Report.Threshold)
	}
}

// A minimum calibrated probability on a profile without a calibrator is
// refused before any judge call, naming the profile, instead of being
// silently ignored.
func TestMinCalibratedProbabilityNeedsACalibrator(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentPreference("GOOD", 80))
	req := prefItem(0)
	req.Judge = &pb.JudgeConfig{MinCalibratedProbability: 0.8}
	_, err := h.connect.Score(t.Context(), req)
	assertCode(t, err, connect.CodeFailedPrecondition, "judge.min_calibrated_probability", "preference/judge/", "no active calibrator")
	if h.fake.Calls() != 0 || h.judgments(t) != 0 {
		t.Fatalf("%d judge calls and %d judgments for a refused request", h.fake.Calls(), h.judgments(t))
	}
}
