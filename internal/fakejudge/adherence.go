package fakejudge

import (
	"fmt"
	"regexp"

	"github.com/personajudge/personajudge/internal/llmfake"
)

// AdherenceAnswer is the JSON an adherence judge returns.
func AdherenceAnswer(score, certainty int) string {
	return fmt.Sprintf(`{"rationale":"scripted","score":%d,"certainty":%d}`, score, certainty)
}

var reScoreMarker = regexp.MustCompile(`SCORE=([1-5?])`)

// ContentAdherence scores the agent's answer by a marker in it, as a judge
// that reads content would: "SCORE=4" in the answer block earns 4 in every
// order; "SCORE=?" gets an unreadable reply (no score), so the item ends as
// a judge error after the re-asks; no marker earns 3. Markers elsewhere in
// the prompt (persona, question, rubric) are ignored.
func ContentAdherence(certainty int) llmfake.Behavior {
	return func(req *llmfake.Request, _ int64) llmfake.Reply {
		blocks, _ := Split(req)
		answer, _ := BlockText(blocks, "answer")
		score := 3
		if m := reScoreMarker.FindStringSubmatch(answer); m != nil {
			if m[1] == "?" {
				return llmfake.Reply{Content: "Hard to say; the answer is ambiguous."}
			}
			score = int(m[1][0] - '0')
		}
		return llmfake.Reply{Content: AdherenceAnswer(score, certainty)}
	}
}

// reFirstLevel finds a rubric level label, "Score N:" at the start of a
// line, in the service's own text (outside the fences).
var reFirstLevel = regexp.MustCompile(`(?m)^Score ([1-5]):`)

// FirstLevel answers the number of the first rubric level listed, whatever
// the answer says: the strongest position bias a rubric judge can have. It
// scores 1 when the rubric is shown ascending and 5 when descending.
func FirstLevel(certainty int) llmfake.Behavior {
	return func(req *llmfake.Request, _ int64) llmfake.Reply {
		_, outside := Split(req)
		m := reFirstLevel.FindStringSubmatch(outside)
		if m == nil {
			return llmfake.Reply{Content: "I see no rubric."}
		}
		return llmfake.Reply{Content: AdherenceAnswer(int(m[1][0]-'0'), certainty)}
	}
}

// FixedScore always answers the same score, in range or not: 0 or 7 make a
// judge whose output is well-formed JSON but never a valid level.
func FixedScore(score, certainty int) llmfake.Behavior {
	return func(*llmfake.Request, int64) llmfake.Reply {
		return llmfake.Reply{Content: AdherenceAnswer(score, certainty)}
	}
}

// ByModel routes each call to the behaviour of the model it names, so one
// fake server can play an ensemble of judges; an unknown model gets 404.
func ByModel(byModel map[string]llmfake.Behavior) llmfake.Behavior {
	return func(req *llmfake.Request, n int64) llmfake.Reply {
		b, ok := byModel[req.Model]
		if !ok {
			return llmfake.Reply{Status: 404, ErrorMessage: "model " + req.Model + " not found"}
		}
		return b(req, n)
	}
}
