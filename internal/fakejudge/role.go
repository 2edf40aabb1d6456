package fakejudge

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/personajudge/personajudge/internal/llmfake"
)

// RoleCandidates reads the candidates of a role-identification prompt in
// the order shown: names[i] and profiles[i] belong to label i+1.
func RoleCandidates(blocks []Block) (names, profiles []string) {
	for i := 1; ; i++ {
		name, ok := BlockText(blocks, fmt.Sprintf("candidate %d name", i))
		if !ok {
			return names, profiles
		}
		profile, _ := BlockText(blocks, fmt.Sprintf("candidate %d profile", i))
		names, profiles = append(names, name), append(profiles, profile)
	}
}

// RoleAnswer is the JSON a role judge returns; values may be numbers or,
// to script malformed answers, anything else.
func RoleAnswer(probs map[string]any, certainty int) string {
	b, err := json.Marshal(map[string]any{"rationale": "scripted", "probabilities": probs, "certainty": certainty})
	if err != nil {
		panic(err) // maps of strings and numbers always encode
	}
	return string(b)
}

// labelled keys shown probabilities by label "1".."K".
func labelled(p []float64) map[string]any {
	m := make(map[string]any, len(p))
	for i, x := range p {
		m[strconv.Itoa(i+1)] = x
	}
	return m
}

// spread gives mass to shown index top and shares the rest evenly; top < 0
// spreads everything evenly.
func spread(k, top int, mass float64) []float64 {
	p := make([]float64, k)
	for i := range p {
		switch {
		case top < 0:
			p[i] = 1 / float64(k)
		case i == top:
			p[i] = mass
		default:
			p[i] = (1 - mass) / float64(k-1)
		}
	}
	return p
}

// FirstShownRole puts mass on label 1, whoever it is, and shares the rest:
// a pure position bias.
func FirstShownRole(mass float64, certainty int) llmfake.Behavior {
	return func(req *llmfake.Request, _ int64) llmfake.Reply {
		blocks, _ := Split(req)
		names, _ := RoleCandidates(blocks)
		return llmfake.Reply{Content: RoleAnswer(labelled(spread(len(names), 0, mass)), certainty)}
	}
}

// contentRole is the distribution of a judge that reads content: mass on
// the candidate whose profile shares marker with the target utterance,
// uniform when none does. It returns the shown names too.
func contentRole(req *llmfake.Request, marker string, mass float64) ([]float64, []string) {
	blocks, _ := Split(req)
	names, profiles := RoleCandidates(blocks)
	target, _ := BlockText(blocks, "target utterance")
	top := -1
	for i, p := range profiles {
		if strings.Contains(target, marker) && strings.Contains(p, marker) {
			top = i
		}
	}
	return spread(len(names), top, mass), names
}

// ContentRole names the candidate whose profile shares marker with the
// target, with 0.85 of the mass, whatever position it is shown in.
func ContentRole(marker string, certainty int) llmfake.Behavior {
	return func(req *llmfake.Request, _ int64) llmfake.Reply {
		p, _ := contentRole(req, marker, 0.85)
		return llmfake.Reply{Content: RoleAnswer(labelled(p), certainty)}
	}
}

// RoleFault is a way a role judge's answer can be malformed.
type RoleFault int

const (
	// NamesAsKeys keys the probabilities by candidate name, not label.
	NamesAsKeys RoleFault = iota
	// SumTo130 scales the probabilities to sum to 1.3.
	SumTo130
	// Percentages states percentages summing to 100.
	Percentages
	// MissingCandidate leaves the last label out.
	MissingCandidate
	// NegativeProbability gives one candidate a negative probability.
	NegativeProbability
	// NotANumber gives label "1" the word "high".
	NotANumber
)

// FaultyRole reads content like ContentRole, then answers with the fault.
func FaultyRole(marker string, fault RoleFault) llmfake.Behavior {
	return func(req *llmfake.Request, _ int64) llmfake.Reply {
		p, names := contentRole(req, marker, 0.85)
		m := labelled(p)
		last := strconv.Itoa(len(p))
		switch fault {
		case NamesAsKeys:
			m = map[string]any{}
			for i, n := range names {
				m[n] = p[i]
			}
		case SumTo130:
			for i, x := range p {
				m[strconv.Itoa(i+1)] = x * 1.3
			}
		case Percentages:
			for i, x := range p {
				m[strconv.Itoa(i+1)] = x * 100
			}
		case MissingCandidate:
			delete(m, last)
		case NegativeProbability:
			m[last] = -0.05
		case NotANumber:
			m["1"] = "high"
		}
		return llmfake.Reply{Content: RoleAnswer(m, 80)}
	}
}

// UntilReasked answers with first on the first ask and with then once the
// caller has re-asked: a model that corrects itself when told.
func UntilReasked(first, then llmfake.Behavior) llmfake.Behavior {
	return func(req *llmfake.Request, n int64) llmfake.Reply {
		if req.Reasks() == 0 {
			return first(req, n)
		}
		return then(req, n)
	}
}
