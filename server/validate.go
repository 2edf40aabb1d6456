package server

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
)

// Request limits. They bound prompt size (and so cost and latency) well
// above any real persona or response, and keep one request from holding a
// judge for long. MaxRequestBytes is enforced by the transport before the
// body is decoded.
const (
	MaxRequestBytes  = 1 << 20 // 1 MiB per message
	MaxItemIDBytes   = 256
	MaxPersonaBytes  = 16_000
	MaxQueryBytes    = 16_000
	MaxResponseBytes = 32_000
	MaxModels        = 8
	MaxSamples       = 5
	MaxTemperature   = 2.0
)

// modelLookup reports whether a model name is configured.
type modelLookup func(name string) bool

// validateScore checks a ScoreRequest before any work starts and builds
// its judge task.
func validateScore(req *pb.ScoreRequest, known modelLookup) (judges.Task, *fieldError) {
	if err := checkText("item_id", req.ItemId, MaxItemIDBytes, false); err != nil {
		return nil, err
	}
	if err := validateJudgeConfig(req.Judge, known); err != nil {
		return nil, err
	}
	if err := validateTags(req.Tags); err != nil {
		return nil, err
	}
	return taskFor(req, true)
}

// taskFor builds the request's judge task, validating it first when check
// is set (a stored request was validated when it was judged, under the
// rules of its day): the one place the task oneof is switched on. Each
// task kind lives in its own file (task_*.go) with its validation.
func taskFor(req *pb.ScoreRequest, check bool) (judges.Task, *fieldError) {
	switch t := req.Task.(type) {
	case *pb.ScoreRequest_Preference:
		return preferenceTask(t.Preference, req.Judge, check)
	case *pb.ScoreRequest_RoleIdentification:
		return roleIdentificationTask(t.RoleIdentification, check)
	case *pb.ScoreRequest_Adherence:
		return adherenceTask(t.Adherence, check)
	}
	return nil, badField("task", "one of role_identification, preference or adherence must be set")
}

func validateJudgeConfig(c *pb.JudgeConfig, known modelLookup) *fieldError {
	if c == nil {
		return nil
	}
	if len(c.Models) > MaxModels {
		return badField("judge.models", "at most %d models, got %d", MaxModels, len(c.Models))
	}
	seen := map[string]bool{}
	for i, m := range c.Models {
		field := "judge.models[" + strconv.Itoa(i) + "]"
		if m == "" {
			return badField(field, "must not be empty")
		}
		if !known(m) {
			return badField(field, "unknown model %q", clip(m, 64))
		}
		if seen[m] {
			return badField(field, "model %q listed twice", m)
		}
		seen[m] = true
	}
	if _, ok := pb.OrderPolicy_name[int32(c.OrderPolicy)]; !ok {
		return badField("judge.order_policy", "unknown value %d", c.OrderPolicy)
	}
	if _, ok := pb.CachePolicy_name[int32(c.Cache)]; !ok {
		return badField("judge.cache", "unknown value %d", c.Cache)
	}
	if c.SamplesPerOrder < 0 || c.SamplesPerOrder > MaxSamples {
		return badField("judge.samples_per_order", "must be between 0 and %d, got %d", MaxSamples, c.SamplesPerOrder)
	}
	if p := c.MinCalibratedProbability; math.IsNaN(p) || p < 0 || p > 1 {
		return badField("judge.min_calibrated_probability", "must be between 0 and 1, got %v", p)
	}
	if c.TargetPrecision != nil {
		if t := *c.TargetPrecision; !(t > 0.5 && t < 1) {
			return badField("judge.target_precision", "must be strictly between 0.5 and 1, got %v", t)
		}
	}
	if len(c.CascadeStages) == 0 && (c.CascadeTarget != 0 || c.CascadeRisk != 0) {
		return badField("judge.cascade_target", "a cascade target or risk needs judge.cascade_stages")
	}
	if len(c.CascadeStages) > 0 {
		if fe := validateCascade("judge.cascade_stages", c.CascadeStages, "judge.cascade_target", c.CascadeTarget, "judge.cascade_risk", c.CascadeRisk, known); fe != nil {
			return fe
		}
	}
	if c.Temperature != nil {
		t := *c.Temperature
		if math.IsNaN(t) || t < 0 || t > MaxTemperature {
			return badField("judge.temperature", "must be between 0 and %g, got %v", MaxTemperature, t)
		}
	}
	return nil
}

// checkText enforces presence, size and valid UTF-8 of one text field.
func checkText(field, s string, limit int, required bool) *fieldError {
	if required && strings.TrimSpace(s) == "" {
		return badField(field, "must not be empty")
	}
	if len(s) > limit {
		return badField(field, "is %d bytes; the limit is %d", len(s), limit)
	}
	if !utf8.ValidString(s) {
		return badField(field, "is not valid UTF-8")
	}
	return nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
