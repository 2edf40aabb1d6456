package server

import (
	"fmt"
	"math"

	"github.com/personajudge/personajudge/calibration"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// Calibration limits and defaults. Fifty outcomes is about the least that
// says anything about a judge's calibration: with fewer, five folds of ten
// and a Clopper-Pearson bound on a handful of kept items are noise.
const (
	MinCalibrationOutcomes = 50
	DefaultFolds           = 5
	MaxFolds               = 20
	DefaultTargetPrecision = 0.9
	MaxHistogramBins       = 100
	MaxProfileBytes        = 512
	MaxOptions             = 100
	MinRubricScore         = 1
	MaxRubricScore         = 5
)

// crossFitSeed fixes the folds, so fitting the same outcomes twice reports
// the same held-out metrics and threshold.
const crossFitSeed = 1

// methods maps the API's enum to calibration methods.
var methods = map[pb.CalibrationMethod]calibration.Method{
	pb.CalibrationMethod_CALIBRATION_METHOD_HISTOGRAM:  calibration.MethodHistogram,
	pb.CalibrationMethod_CALIBRATION_METHOD_ISOTONIC:   calibration.MethodIsotonic,
	pb.CalibrationMethod_CALIBRATION_METHOD_PLATT:      calibration.MethodPlatt,
	pb.CalibrationMethod_CALIBRATION_METHOD_BASE_RATE:  calibration.MethodBaseRate,
	pb.CalibrationMethod_CALIBRATION_METHOD_VENN_ABERS: calibration.MethodVennAbers,
}

func methodEnum(m calibration.Method) pb.CalibrationMethod {
	for e, v := range methods {
		if v == m {
			return e
		}
	}
	return pb.CalibrationMethod_CALIBRATION_METHOD_UNSPECIFIED
}

// checkProfile requires a judge profile name.
func checkProfile(field, p string) *fieldError {
	if err := checkText(field, p, MaxProfileBytes, true); err != nil {
		return err
	}
	return nil
}

// validateRecordOutcomes checks the shape of a RecordOutcomesRequest; that
// each label fits its judgment is checked against the stored judgment
// (labelFits).
func validateRecordOutcomes(req *pb.RecordOutcomesRequest) *fieldError {
	if len(req.Outcomes) == 0 {
		return badField("outcomes", "must not be empty")
	}
	seen := make(map[string]int, len(req.Outcomes))
	for i, o := range req.Outcomes {
		field := fmt.Sprintf("outcomes[%d]", i)
		if o.JudgmentId == "" {
			return badField(field+".judgment_id", "must not be empty")
		}
		if len(o.JudgmentId) > 64 {
			return badField(field+".judgment_id", "is not a judgment id")
		}
		if j, dup := seen[o.JudgmentId]; dup {
			return badField(field+".judgment_id", "duplicates outcomes[%d].judgment_id %s", j, o.JudgmentId)
		}
		seen[o.JudgmentId] = i
		if fe := checkLabel(field+".label", o.Label); fe != nil {
			return fe
		}
	}
	return nil
}

// checkLabel requires exactly one of choice, tie and score, each in range.
func checkLabel(field string, l *pb.Label) *fieldError {
	if l == nil {
		return badField(field, "must be set")
	}
	set := 0
	if l.Choice != nil {
		set++
		if *l.Choice < 0 {
			return badField(field+".choice", "must not be negative, got %d", *l.Choice)
		}
	}
	if l.Tie {
		set++
	}
	if l.Score != nil {
		set++
		if s := *l.Score; math.IsNaN(s) || s < MinRubricScore || s > MaxRubricScore {
			return badField(field+".score", "must be between %d and %d, got %v", MinRubricScore, MaxRubricScore, s)
		}
	}
	if set != 1 {
		return badField(field, "set exactly one of choice, tie or score")
	}
	return nil
}

// labelFits checks a label against the request of the judgment it labels:
// a choice among that judgment's options, a tie only where ties are a
// possible truth (pairwise preference), a score only for rubric tasks.
func labelFits(field string, req *pb.ScoreRequest, l *pb.Label) *fieldError {
	task, fe := taskFor(req, false)
	if fe != nil {
		return badField(field, "the judgment has no task to label")
	}
	space := task.Labels()
	switch {
	case space.Rubric && l.Score == nil:
		return badField(field+".score", "must be set: the judgment is a rubric score")
	case !space.Rubric && l.Score != nil:
		return badField(field+".score", "the judgment is a choice, not a rubric score")
	case l.Tie && !space.Tie:
		return badField(field+".tie", "the judgment's task has no ties")
	case l.Choice != nil && int(*l.Choice) >= space.Options:
		return badField(field+".choice", "option %d is out of range; the judgment has %d options", *l.Choice, space.Options)
	}
	return nil
}

// validateImportOutcomes checks every record; a bad one rejects the batch.
func validateImportOutcomes(req *pb.ImportOutcomesRequest) *fieldError {
	if len(req.Records) == 0 {
		return badField("records", "must not be empty")
	}
	for i, r := range req.Records {
		field := fmt.Sprintf("records[%d]", i)
		if fe := checkProfile(field+".profile", r.Profile); fe != nil {
			return fe
		}
		if c := r.Certainty; math.IsNaN(c) || c < 1 || c > 100 {
			return badField(field+".certainty", "must be between 1 and 100, got %v", c)
		}
		if r.Options != 0 && (r.Options < 2 || r.Options > MaxOptions) {
			return badField(field+".options", "must be 0 (meaning 2) or between 2 and %d, got %d", MaxOptions, r.Options)
		}
		if fe := checkUnitOpt(field+".position_consistency", r.PositionConsistency); fe != nil {
			return fe
		}
		if fe := checkUnitOpt(field+".logprob_confidence", r.LogprobConfidence); fe != nil {
			return fe
		}
		if fe := checkKeyedOutcome(field, r); fe != nil {
			return fe
		}
	}
	return nil
}

func checkUnitOpt(field string, v *float64) *fieldError {
	if v != nil && (math.IsNaN(*v) || *v < 0 || *v > 1) {
		return badField(field, "must be between 0 and 1, got %v", *v)
	}
	return nil
}

// fitParams is a validated FitCalibratorRequest with defaults filled in.
type fitParams struct {
	method calibration.Method
	opts   calibration.Options
	folds  int
	target float64
}

func validateFit(req *pb.FitCalibratorRequest) (fitParams, *fieldError) {
	p := fitParams{folds: DefaultFolds, target: DefaultTargetPrecision}
	if fe := checkProfile("profile", req.Profile); fe != nil {
		return p, fe
	}
	// UNSPECIFIED leaves the method empty: heldOut then chooses it by
	// held-out log loss (calibration.ChooseMethod).
	m, ok := methods[req.Method]
	if !ok && req.Method != pb.CalibrationMethod_CALIBRATION_METHOD_UNSPECIFIED {
		return p, badField("method", "must be UNSPECIFIED (chosen by held-out log loss), HISTOGRAM, ISOTONIC, PLATT, BASE_RATE or VENN_ABERS, got %v", req.Method)
	}
	p.method = m
	if req.Folds != 0 {
		if req.Folds < 2 || req.Folds > MaxFolds {
			return p, badField("folds", "must be 0 (meaning %d) or between 2 and %d, got %d", DefaultFolds, MaxFolds, req.Folds)
		}
		p.folds = int(req.Folds)
	}
	if t := req.TargetPrecision; t != 0 {
		if !(t > 0.5 && t < 1) {
			return p, badField("target_precision", "must be 0 (meaning %g) or strictly between 0.5 and 1, got %v", DefaultTargetPrecision, t)
		}
		p.target = t
	}
	if req.Bins != 0 {
		if m != calibration.MethodHistogram {
			return p, badField("bins", "only the histogram method uses bins")
		}
		if req.Bins < 1 || req.Bins > MaxHistogramBins {
			return p, badField("bins", "must be 0 (meaning %d) or between 1 and %d, got %d", calibration.DefaultBins, MaxHistogramBins, req.Bins)
		}
		p.opts.Bins = int(req.Bins)
	}
	if (req.UsePositionConsistency || req.UseLogprob) && m != calibration.MethodPlatt {
		field := "use_position_consistency"
		if req.UseLogprob {
			field = "use_logprob"
		}
		return p, badField(field, "only the Platt method uses extra features")
	}
	if req.UseLogprob && !req.DoNotActivate {
		// A calibrator that cannot serve must not become active silently.
		return p, badField("use_logprob", "Score responses carry no logprob confidence, so such a calibrator cannot serve; set do_not_activate to fit it for its report")
	}
	p.opts.UseConsistency, p.opts.UseLogprob = req.UsePositionConsistency, req.UseLogprob
	return p, nil
}

func validateReportRequest(req *pb.GetCalibrationReportRequest) *fieldError {
	if fe := checkProfile("profile", req.Profile); fe != nil {
		return fe
	}
	if len(req.CalibratorVersion) > 64 {
		return badField("calibrator_version", "is not a calibrator version")
	}
	return nil
}
