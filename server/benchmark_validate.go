package server

import (
	"fmt"
	"math"
	"unicode/utf8"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
)

// Bounds of a recorded PersonaGym run. The benchmark has 10,000 questions
// (200 personas, five tasks, ten questions); MaxBenchmarkItems leaves room
// for larger personas files.
const (
	MaxBenchmarkNameBytes     = 200
	MaxBenchmarkItems         = 100_000
	MaxBenchmarkQuestionBytes = 64
	MaxBenchmarkReasonBytes   = 1024
	MaxBenchmarkSamples       = 10_000
)

func validateRecordRun(req *pb.RecordRunRequest) *fieldError {
	if req.Name == "" || len(req.Name) > MaxBenchmarkNameBytes || !utf8.ValidString(req.Name) {
		return badField("name", "must be 1 to %d bytes of UTF-8", MaxBenchmarkNameBytes)
	}
	if len(req.Agent) > MaxBenchmarkNameBytes || !utf8.ValidString(req.Agent) {
		return badField("agent", "must be at most %d bytes of UTF-8", MaxBenchmarkNameBytes)
	}
	if len(req.Items) == 0 || len(req.Items) > MaxBenchmarkItems {
		return badField("items", "must hold 1 to %d items, got %d", MaxBenchmarkItems, len(req.Items))
	}
	type key struct {
		persona  int32
		task     pb.AdherenceTaskKind
		question string
	}
	seen := make(map[key]int, len(req.Items))
	for i, it := range req.Items {
		if fe := validateBenchmarkItem(it); fe != nil {
			fe.Field = fmt.Sprintf("items[%d].%s", i, fe.Field)
			return fe
		}
		k := key{it.Persona, it.Task, it.QuestionId}
		if j, dup := seen[k]; dup {
			return badField(fmt.Sprintf("items[%d].question_id", i), "persona %d, task %s, question %q is already items[%d]", it.Persona, it.Task, clip(it.QuestionId, 64), j)
		}
		seen[k] = i
	}
	return nil
}

// validateBenchmarkItem checks one item; the field it names is relative to
// the item.
func validateBenchmarkItem(it *pb.BenchmarkItem) *fieldError {
	if it.Persona < 0 {
		return badField("persona", "must be a persona index, 0 or more, got %d", it.Persona)
	}
	if !isAdherenceTask(it.Task) {
		return badField("task", "must be one of the five PersonaGym tasks, got %s", it.Task)
	}
	if it.QuestionId == "" || len(it.QuestionId) > MaxBenchmarkQuestionBytes || !utf8.ValidString(it.QuestionId) {
		return badField("question_id", "must be 1 to %d bytes of UTF-8", MaxBenchmarkQuestionBytes)
	}
	if len(it.Reason) > MaxBenchmarkReasonBytes || !utf8.ValidString(it.Reason) {
		return badField("reason", "must be at most %d bytes of UTF-8", MaxBenchmarkReasonBytes)
	}
	switch it.Status {
	case pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT:
		if it.Score == nil {
			return badField("score", "a VERDICT needs its score")
		}
		if s := *it.Score; math.IsNaN(s) || s < 1 || s > 5 {
			return badField("score", "must be 1 to 5, got %v", s)
		}
	case pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN, pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR, pb.JudgmentStatus_JUDGMENT_STATUS_INVALID:
		// Neither counts as a score: a score sent with one would be a
		// score that PersonaScore must not count.
		if it.Score != nil {
			return badField("score", "only a VERDICT has a score, not %s", it.Status)
		}
	default:
		return badField("status", "must be VERDICT, ABSTAIN, JUDGE_ERROR or INVALID, got %s", it.Status)
	}
	return nil
}

func isAdherenceTask(t pb.AdherenceTaskKind) bool {
	for _, k := range judges.AdherenceTasks {
		if t == k {
			return true
		}
	}
	return false
}

func validateRunID(field, id string) *fieldError {
	if id == "" || len(id) > 64 {
		return badField(field, "must be a run id")
	}
	return nil
}

func validateBenchmarkSamples(field string, n int32) *fieldError {
	if n < 0 || n > MaxBenchmarkSamples {
		return badField(field, "must be 0 to %d, got %d", MaxBenchmarkSamples, n)
	}
	return nil
}
