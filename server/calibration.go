package server

import (
	"context"
	"errors"
	"fmt"
	"math"

	"connectrpc.com/connect"
	"github.com/personajudge/personajudge/calibration"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/judges"
	"github.com/personajudge/personajudge/stats"
	"github.com/personajudge/personajudge/store"
)

// CalibrationService implements CalibrationService: labels and imported
// outcomes in, fitted calibrators and their held-out reports out. A fit
// invalidates the engine's copy of the profile's calibrator, so it takes
// effect on the next Score.
type CalibrationService struct {
	svc   *Service
	store *store.Store
}

var _ personajudgev1connect.CalibrationServiceHandler = (*CalibrationService)(nil)

// Calibration returns the CalibrationService over the same store and engine.
func (s *Service) Calibration() *CalibrationService {
	return &CalibrationService{svc: s, store: s.store}
}

// internal logs a storage fault with the request id and answers with the
// id only.
func (c *CalibrationService) internal(ctx context.Context, what string, err error) error {
	return c.svc.internalError(ctx, connect.CodeInternal, "STORE_UNAVAILABLE", what+" failed", err)
}

// labelledSamples reads a profile's labelled judgments and imported
// outcomes and lets the judges say which count and how: the store only
// persists, the server only maps stored wire messages to judgments.
func (c *CalibrationService) labelledSamples(ctx context.Context, profile string) ([]calibration.Sample, error) {
	s, _, err := c.labelledSamplesCounted(ctx, profile)
	return s, err
}

// labelledSamplesCounted is labelledSamples with the counts of labelled
// judgments left out.
func (c *CalibrationService) labelledSamplesCounted(ctx context.Context, profile string) ([]calibration.Sample, judges.ExcludedCounts, error) {
	var none judges.ExcludedCounts
	rows, err := c.store.LabelledJudgments(ctx, profile)
	if err != nil {
		return nil, none, err
	}
	imported, err := c.store.ImportedOutcomes(ctx, profile)
	if err != nil {
		return nil, none, err
	}
	labelled := make([]judges.LabelledJudgment, len(rows))
	for i, r := range rows {
		task, _ := taskFor(r.Request, false) // nil when no task can be built
		labelled[i] = judges.LabelledJudgment{Judgment: judgmentOf(task, r.Response), Label: r.Label}
	}
	records := make([]judges.ImportedOutcome, len(imported))
	for i, r := range imported {
		records[i] = judges.ImportedOutcome(r)
	}
	return judges.CalibrationSamples(labelled, records), judges.CountExcluded(labelled), nil
}

// RecordOutcomes labels stored judgments, all or nothing.
func (c *CalibrationService) RecordOutcomes(ctx context.Context, req *pb.RecordOutcomesRequest) (*pb.RecordOutcomesResponse, error) {
	if fe := validateRecordOutcomes(req); fe != nil {
		return nil, invalidArgument(fe)
	}
	// Judgments are never deleted, so checking them before the write
	// transaction cannot go stale.
	for i, o := range req.Outcomes {
		sreq, _, err := c.store.GetJudgment(ctx, o.JudgmentId)
		if errors.Is(err, store.ErrNotFound) {
			return nil, invalidArgument(badField(fmt.Sprintf("outcomes[%d].judgment_id", i), "no judgment %s", o.JudgmentId))
		}
		if err != nil {
			return nil, c.internal(ctx, "read judgment", err)
		}
		if fe := labelFits(fmt.Sprintf("outcomes[%d].label", i), sreq, o.Label); fe != nil {
			return nil, invalidArgument(fe)
		}
	}
	recorded, unchanged, err := c.store.RecordOutcomes(ctx, req.Outcomes, req.Overwrite)
	var oe *store.OutcomeError
	switch {
	case errors.As(err, &oe) && errors.Is(err, store.ErrLabelConflict):
		return nil, connect.NewError(connect.CodeFailedPrecondition, fmt.Errorf(
			"outcomes[%d].judgment_id: judgment %s is already labelled %s, not %s; set overwrite to replace the label",
			oe.Index, oe.JudgmentID, describeLabel(oe.Existing), describeLabel(req.Outcomes[oe.Index].Label)))
	case errors.As(err, &oe) && errors.Is(err, store.ErrNotFound):
		return nil, invalidArgument(badField(fmt.Sprintf("outcomes[%d].judgment_id", oe.Index), "no judgment %s", oe.JudgmentID))
	case err != nil:
		return nil, c.internal(ctx, "record outcomes", err)
	}
	return &pb.RecordOutcomesResponse{Recorded: int32(recorded), Unchanged: int32(unchanged)}, nil
}

func describeLabel(l *pb.Label) string {
	switch {
	case l.GetTie():
		return "tie"
	case l.Choice != nil:
		return fmt.Sprintf("choice %d", l.GetChoice())
	case l.Score != nil:
		return fmt.Sprintf("score %g", l.GetScore())
	}
	return "(empty)"
}

// ImportOutcomes stores historical records, all or nothing.
func (c *CalibrationService) ImportOutcomes(ctx context.Context, req *pb.ImportOutcomesRequest) (*pb.ImportOutcomesResponse, error) {
	if fe := validateImportOutcomes(req); fe != nil {
		return nil, invalidArgument(fe)
	}
	for _, r := range req.Records {
		if r.Options == 0 {
			r.Options = 2 // the API's documented default: pairwise
		}
	}
	n, err := c.store.ImportOutcomes(ctx, req.Records)
	if fe := keyCollision(err); fe != nil {
		return nil, invalidArgument(fe)
	}
	if err != nil {
		return nil, c.internal(ctx, "import outcomes", err)
	}
	return &pb.ImportOutcomesResponse{Imported: int32(n)}, nil
}

// FitCalibrator fits, evaluates out of fold, stores a new version and
// (unless asked not to) activates it.
func (c *CalibrationService) FitCalibrator(ctx context.Context, req *pb.FitCalibratorRequest) (*pb.FitCalibratorResponse, error) {
	p, fe := validateFit(req)
	if fe != nil {
		return nil, invalidArgument(fe)
	}
	samples, excluded, err := c.labelledSamplesCounted(ctx, req.Profile)
	if err != nil {
		return nil, c.internal(ctx, "read outcomes", err)
	}
	if len(samples) < MinCalibrationOutcomes {
		return nil, connect.NewError(connect.CodeFailedPrecondition, fmt.Errorf(
			"profile %q has %d labelled outcomes; fitting needs at least %d", req.Profile, len(samples), MinCalibrationOutcomes))
	}
	if err := requireFeatures(p.opts, samples); err != nil {
		return nil, err
	}
	report, model, th, err := heldOut(req.Profile, p, samples, excluded)
	if err != nil {
		return nil, connect.NewError(connect.CodeFailedPrecondition, err)
	}
	encoded, err := calibration.EncodeModel(model)
	if err != nil {
		return nil, c.internal(ctx, "encode calibrator", err)
	}
	cal := &store.Calibrator{Profile: req.Profile, Method: string(model.Method), Model: encoded, N: len(samples), Report: report}
	if th.Found {
		cal.Threshold = &th.Threshold.Threshold
	}
	// Invalidate after the commit: a Score that loads between the commit
	// and this call reads the new row anyway.
	err = c.store.SaveCalibrator(ctx, cal, !req.DoNotActivate)
	c.svc.engine.InvalidateCalibrator(req.Profile)
	if err != nil {
		return nil, c.internal(ctx, "save calibrator", err)
	}
	return &pb.FitCalibratorResponse{Calibrator: calibratorInfo(cal), Report: cal.Report}, nil
}

// requireFeatures refuses a Platt fit on a feature some outcomes lack: a
// missing value is not a zero.
func requireFeatures(opts calibration.Options, samples []calibration.Sample) error {
	check := func(on bool, field, what string, get func(calibration.Sample) float64) error {
		if !on {
			return nil
		}
		missing := 0
		for _, s := range samples {
			if math.IsNaN(get(s)) {
				missing++
			}
		}
		if missing == 0 {
			return nil
		}
		return connect.NewError(connect.CodeFailedPrecondition, fmt.Errorf(
			"%s: %d of %d outcomes have no %s", field, missing, len(samples), what))
	}
	if err := check(opts.UseConsistency, "use_position_consistency", "position consistency",
		func(s calibration.Sample) float64 { return s.Consistency }); err != nil {
		return err
	}
	return check(opts.UseLogprob, "use_logprob", "logprob confidence",
		func(s calibration.Sample) float64 { return s.Logprob })
}

// heldOut fits the served model and reports on it. Metrics are held out
// by cross-fitting (ECE fold by fold, see calibration.EvaluateHeldOut);
// the high-certainty threshold comes from the fixed sequence over the
// model's kept-set table (calibration.FitSelected: the raw confidence of
// every outcome for one-feature maps, a split for multi-feature ones), so
// its guarantee holds; the paper's fixed rule is reported beside it. An
// empty p.method (the request left it UNSPECIFIED) is chosen by
// calibration.ChooseMethod: the lowest out-of-fold log loss.
func heldOut(profile string, p fitParams, cs []calibration.Sample, excluded judges.ExcludedCounts) (*pb.CalibrationReport, *calibration.Model, calibration.FixedSequenceResult, error) {
	var none calibration.FixedSequenceResult
	raw := make([]float64, len(cs))
	normalized := make([]float64, len(cs))
	correct := make([]bool, len(cs))
	for i, s := range cs {
		raw[i], correct[i] = s.Confidence, s.Correct
		// The fixed rule reads the stated certainty; pairwise identity
		// probabilities map back to it exactly.
		normalized[i] = 2*s.Confidence - 1
	}
	method := p.method
	var oof []float64
	var scores []*pb.MethodScore
	var err error
	if method == "" {
		var choice calibration.Choice
		choice, err = calibration.ChooseMethod(cs, p.opts, p.folds, crossFitSeed)
		method, oof = choice.Method, choice.OOF
		for _, sc := range choice.Scores {
			scores = append(scores, &pb.MethodScore{Method: methodEnum(sc.Method), LogLoss: sc.LogLoss, Brier: sc.Brier})
		}
	} else {
		oof, err = calibration.CrossFit(method, cs, p.opts, p.folds, crossFitSeed)
	}
	if err != nil {
		return nil, nil, none, err
	}
	model, err := calibration.FitSelected(method, cs, p.opts, p.target, crossFitSeed)
	if err != nil {
		return nil, nil, none, err
	}
	th, err := model.Selection.Choose(p.target)
	if err != nil {
		return nil, nil, none, err
	}
	h := calibration.EvaluateHeldOut(raw, oof, correct, calibration.Folds(len(cs), p.folds, crossFitSeed), stats.BootstrapOptions{Seed: crossFitSeed})
	calibrated := metricsPB(calibration.Evaluate(oof, correct))
	calibrated.Ece10 = h.ECE10.Value // fold-wise: the pooled figure hides each fold's miss
	rule := calibration.FixedRuleBaseline(normalized, correct)
	threshold := thresholdPB(th.Threshold, p.target)
	threshold.Basis, threshold.Tested, threshold.Skipped, threshold.N = string(model.Selection.Basis), int32(th.Tested), int32(th.Skipped), int32(model.Selection.N)
	report := &pb.CalibrationReport{
		Profile:    profile,
		Raw:        metricsPB(calibration.Evaluate(raw, correct)),
		Calibrated: calibrated,
		Threshold:  threshold,
		HeldOut: &pb.HeldOutFigures{
			N: int32(h.N), Ece10: h.ECE10.Value, Ece10Lower: h.ECE10.Lower, Ece10Upper: h.ECE10.Upper,
			BrierSkillBase: h.BrierSkillBase, BrierSkillIdentity: h.BrierSkillIdentity, Auroc: h.AUROC,
		},
		FixedRule:    &pb.RuleBaseline{Kept: int32(rule.Kept), Coverage: rule.Coverage, Precision: rule.Precision, LowerBound: rule.LowerBound},
		MethodScores: scores,
		Method:       methodEnum(method),
		Samples: &pb.SampleCounts{Used: int32(len(cs)), Abstained: int32(excluded.Abstained),
			DisagreementTies: int32(excluded.DisagreementTies), OtherExcluded: int32(excluded.Other)},
	}
	return report, model, th, nil
}

// GetCalibrationReport returns the stored held-out report of the active (or
// named) calibrator; for a profile without one, the raw metrics of its
// current outcomes.
func (c *CalibrationService) GetCalibrationReport(ctx context.Context, req *pb.GetCalibrationReportRequest) (*pb.GetCalibrationReportResponse, error) {
	if fe := validateReportRequest(req); fe != nil {
		return nil, invalidArgument(fe)
	}
	var cal *store.Calibrator
	var err error
	if req.CalibratorVersion != "" {
		cal, err = c.store.GetCalibrator(ctx, req.Profile, req.CalibratorVersion)
		if errors.Is(err, store.ErrNotFound) {
			return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf(
				"calibrator_version: profile %q has no calibrator %q", req.Profile, req.CalibratorVersion))
		}
	} else {
		cal, err = c.store.ActiveCalibrator(ctx, req.Profile)
		if errors.Is(err, store.ErrNotFound) {
			cal, err = nil, nil
		}
	}
	if err != nil {
		return nil, c.internal(ctx, "read calibrator", err)
	}
	if cal != nil {
		return &pb.GetCalibrationReportResponse{Report: cal.Report}, nil
	}
	samples, err := c.labelledSamples(ctx, req.Profile)
	if err != nil {
		return nil, c.internal(ctx, "read outcomes", err)
	}
	if len(samples) == 0 {
		all, err := c.store.ListCalibrators(ctx, req.Profile)
		if err != nil {
			return nil, c.internal(ctx, "list calibrators", err)
		}
		if len(all) == 0 {
			return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf(
				"profile: no outcomes or calibrators for profile %q", req.Profile))
		}
	}
	raw := make([]float64, len(samples))
	correct := make([]bool, len(samples))
	for i, s := range samples {
		raw[i], correct[i] = s.Confidence, s.Correct
	}
	return &pb.GetCalibrationReportResponse{Report: &pb.CalibrationReport{
		Profile: req.Profile,
		Raw:     metricsPB(calibration.Evaluate(raw, correct)),
	}}, nil
}

func calibratorInfo(c *store.Calibrator) *pb.CalibratorInfo {
	return &pb.CalibratorInfo{
		Profile:   c.Profile,
		Version:   c.Version,
		Method:    methodEnum(calibration.Method(c.Method)),
		N:         int32(c.N),
		Active:    c.Active,
		Threshold: c.Report.GetThreshold(),
	}
}

func metricsPB(m calibration.Metrics) *pb.CalibrationMetrics {
	out := &pb.CalibrationMetrics{
		N: int32(m.N), Accuracy: m.Accuracy, Ece10: m.ECE10, Ece20: m.ECE20, Mce: m.MCE10,
		Brier: m.Brier, LogLoss: m.LogLoss, Auroc: m.AUROC,
	}
	for _, b := range m.Bins {
		out.Bins = append(out.Bins, &pb.ReliabilityBin{Lo: b.Lo, Hi: b.Hi, Count: int32(b.Count), MeanConfidence: b.MeanConfidence, Accuracy: b.Accuracy})
	}
	for _, r := range m.RiskCoverage {
		out.RiskCoverage = append(out.RiskCoverage, &pb.RiskCoveragePoint{Threshold: r.Threshold, Coverage: r.Coverage, Risk: r.Risk})
	}
	return out
}

func thresholdPB(t calibration.Threshold, target float64) *pb.ThresholdInfo {
	return &pb.ThresholdInfo{
		Found: t.Found, Threshold: t.Threshold, Coverage: t.Coverage, Precision: t.Precision,
		LowerBound: t.LowerBound, TargetPrecision: target, Kept: int32(t.Kept),
	}
}
