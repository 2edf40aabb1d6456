package server

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

// The request-validation fuzz targets check one direction of the contract:
// validateScore never panics, and a request it accepts satisfies every
// documented limit, restated here independently of validate.go and
// task_*.go. (Over-rejection is left to the table tests.)

func fzKnownModel(name string) bool { return name == "judge" || name == "judge-b" }

// fzViolations lists the documented limits a request breaks.
func fzViolations(req *pb.ScoreRequest) []string {
	var v []string
	text := func(field, s string, limit int, required bool) {
		if required && strings.TrimSpace(s) == "" {
			v = append(v, field+" is empty")
		}
		if len(s) > limit {
			v = append(v, fmt.Sprintf("%s is %d bytes > %d", field, len(s), limit))
		}
		if !utf8.ValidString(s) {
			v = append(v, field+" is not UTF-8")
		}
	}
	text("item_id", req.ItemId, MaxItemIDBytes, false)
	if c := req.Judge; c != nil {
		if len(c.Models) > MaxModels {
			v = append(v, "too many models")
		}
		seen := map[string]bool{}
		for _, m := range c.Models {
			if m == "" || !fzKnownModel(m) || seen[m] {
				v = append(v, fmt.Sprintf("model %q empty, unknown or repeated", m))
			}
			seen[m] = true
		}
		if _, ok := pb.OrderPolicy_name[int32(c.OrderPolicy)]; !ok {
			v = append(v, "unknown order policy")
		}
		if _, ok := pb.CachePolicy_name[int32(c.Cache)]; !ok {
			v = append(v, "unknown cache policy")
		}
		if c.SamplesPerOrder < 0 || c.SamplesPerOrder > MaxSamples {
			v = append(v, "samples_per_order out of range")
		}
		if p := c.MinCalibratedProbability; !(p >= 0 && p <= 1) {
			v = append(v, "min_calibrated_probability out of [0, 1]")
		}
		if c.Temperature != nil && !(*c.Temperature >= 0 && *c.Temperature <= MaxTemperature) {
			v = append(v, "temperature out of range")
		}
	}
	switch t := req.Task.(type) {
	case *pb.ScoreRequest_Preference:
		p := t.Preference
		text("persona", p.Persona, MaxPersonaBytes, true)
		text("query", p.Query, MaxQueryBytes, true)
		text("response_a", p.ResponseA, MaxResponseBytes, true)
		text("response_b", p.ResponseB, MaxResponseBytes, true)
		if strings.TrimSpace(p.ResponseA) == strings.TrimSpace(p.ResponseB) {
			v = append(v, "identical responses")
		}
	case *pb.ScoreRequest_RoleIdentification:
		r := t.RoleIdentification
		if n := len(r.Candidates); n < MinCandidates || n > MaxCandidates {
			v = append(v, fmt.Sprintf("%d candidates", n))
		}
		if len(r.Dialogue) > MaxDialogueTurns {
			v = append(v, fmt.Sprintf("%d turns", len(r.Dialogue)))
		}
		for i, d := range r.Dialogue {
			text(fmt.Sprint("speaker ", i), d.Speaker, MaxSpeakerBytes, false)
			text(fmt.Sprint("text ", i), d.Text, MaxUtteranceBytes, true)
			text(fmt.Sprint("inner_thought ", i), d.InnerThought, MaxUtteranceBytes, false)
		}
		text("target", r.TargetUtterance, MaxUtteranceBytes, true)
		names := map[string]bool{}
		target := strings.ToLower(strings.TrimSpace(r.TargetUtterance))
		for i, c := range r.Candidates {
			text(fmt.Sprint("name ", i), c.Name, MaxCandidateNameBytes, true)
			text(fmt.Sprint("profile ", i), c.Profile, MaxRoleProfileBytes, true)
			if strings.ContainsAny(c.Name, "\r\n") {
				v = append(v, "multi-line name")
			}
			key := strings.ToLower(strings.TrimSpace(c.Name))
			if names[key] {
				v = append(v, fmt.Sprintf("duplicate name %q", c.Name))
			}
			names[key] = true
			if key != "" && (strings.HasPrefix(target, key+":") || strings.HasPrefix(target, key+" :")) {
				v = append(v, "target names its speaker")
			}
		}
	case *pb.ScoreRequest_Adherence:
		a := t.Adherence
		text("persona", a.Persona, MaxPersonaBytes, true)
		if a.Task < 1 || a.Task > 5 {
			v = append(v, "unknown adherence task")
		}
		text("setting", a.Setting, MaxSettingBytes, false)
		text("question", a.Question, MaxQuestionBytes, true)
		text("answer", a.Answer, MaxAnswerBytes, true)
		if r := a.CustomRubric; r != nil {
			if len(r.Levels) != 5 {
				v = append(v, fmt.Sprintf("%d rubric levels", len(r.Levels)))
			}
			if len(r.Examples) != 0 && len(r.Examples) != 5 {
				v = append(v, fmt.Sprintf("%d rubric examples", len(r.Examples)))
			}
			for i, l := range r.Levels {
				text(fmt.Sprint("level ", i), l, MaxRubricLevelBytes, true)
			}
			for i, e := range r.Examples {
				text(fmt.Sprint("example ", i), e, MaxRubricExampleBytes, true)
			}
		}
	default:
		v = append(v, "no task")
	}
	return v
}

func fzCheck(t *testing.T, req *pb.ScoreRequest) {
	t.Helper()
	_, fe := validateScore(req, fzKnownModel)
	if fe != nil {
		return
	}
	if v := fzViolations(req); len(v) > 0 {
		t.Fatalf("validateScore accepted a request that breaks %q:\n%v", v, req)
	}
}

// fzRequest builds a request of one task kind from fuzzed parts; each
// string lands in several fields, and counts cover both sides of every
// limit on lists.
func fzRequest(kind uint8, itemID, s1, s2, s3, s4, s5 string, n uint8, turns uint16,
	withJudge bool, models string, policy, cache, samples int32, temp, minProb float64, hasTemp bool) *pb.ScoreRequest {
	req := &pb.ScoreRequest{ItemId: itemID}
	if withJudge {
		c := &pb.JudgeConfig{
			OrderPolicy:              pb.OrderPolicy(policy),
			Cache:                    pb.CachePolicy(cache),
			SamplesPerOrder:          samples,
			MinCalibratedProbability: minProb,
			AllowTie:                 hasTemp,
		}
		if models != "" {
			c.Models = strings.Split(models, ",")
		}
		if hasTemp {
			c.Temperature = &temp
		}
		req.Judge = c
	}
	switch kind % 4 {
	case 0:
		req.Task = &pb.ScoreRequest_Preference{Preference: &pb.PersonalizedPreferenceTask{
			Persona: s1, Query: s2, ResponseA: s3, ResponseB: s4,
		}}
	case 1:
		r := &pb.RoleIdentificationTask{TargetUtterance: s2}
		for range int(turns) % (MaxDialogueTurns + 3) {
			r.Dialogue = append(r.Dialogue, &pb.DialogueTurn{Speaker: s4, Text: s1, InnerThought: s5})
		}
		for i := range int(n) % (MaxCandidates + 3) {
			name := s3
			if i > 0 {
				name = s4 + strconv.Itoa(i)
			}
			r.Candidates = append(r.Candidates, &pb.CandidateRole{Name: name, Profile: s5})
		}
		req.Task = &pb.ScoreRequest_RoleIdentification{RoleIdentification: r}
	case 2:
		a := &pb.PersonaAdherenceTask{
			Persona: s1, Task: pb.AdherenceTaskKind(int32(n % 7)),
			Setting: s2, Question: s3, Answer: s4,
		}
		if levels := int(turns%8) - 1; levels >= 0 {
			a.CustomRubric = &pb.Rubric{}
			for i := range levels {
				a.CustomRubric.Levels = append(a.CustomRubric.Levels, s5+strconv.Itoa(i))
			}
			for i := range int(turns/8) % 7 {
				a.CustomRubric.Examples = append(a.CustomRubric.Examples, s5+"e"+strconv.Itoa(i))
			}
		}
		req.Task = &pb.ScoreRequest_Adherence{Adherence: a}
	}
	return req
}

func FuzzValidateScore(f *testing.F) {
	long := strings.Repeat("x", MaxPersonaBytes)
	type seed struct {
		kind                       uint8
		itemID, s1, s2, s3, s4, s5 string
		n                          uint8
		turns                      uint16
		withJudge                  bool
		models                     string
		policy, cache, samples     int32
		temp, minProb              float64
		hasTemp                    bool
	}
	seeds := []seed{
		// Valid requests of every kind.
		{kind: 0, itemID: "i", s1: "A frugal student.", s2: "Airport?", s3: "Bus.", s4: "Limo."},
		{kind: 1, itemID: "r", s1: "Who is there?", s2: "It is I.", s3: "Alice", s4: "Bob", s5: "A profile.", n: 3, turns: 2},
		{kind: 2, itemID: "a", s1: "A keeper.", s2: "A storm.", s3: "What now?", s4: "Lamps.", s5: "Level", n: 1, turns: 0},
		{kind: 2, itemID: "a", s1: "A keeper.", s2: "", s3: "What now?", s4: "Lamps.", s5: "Level", n: 5, turns: 6 + 8*5},
		{kind: 0, s1: "p", s2: "q", s3: "a", s4: "b", withJudge: true, models: "judge,judge-b", policy: 3, cache: 3, samples: 5, temp: 2, minProb: 1, hasTemp: true},
		// Each side of the limits.
		{kind: 0, itemID: strings.Repeat("i", MaxItemIDBytes+1), s1: "p", s2: "q", s3: "a", s4: "b"},
		{kind: 0, s1: long, s2: "q", s3: "a", s4: "b"},
		{kind: 0, s1: long + "x", s2: "q", s3: "a", s4: "b"},
		{kind: 0, s1: "p", s2: "q", s3: " same ", s4: "same\n"},
		{kind: 0, s1: "p\xff", s2: "q", s3: "a", s4: "b"},
		{kind: 0, s1: "\u00a0\u2003", s2: "q", s3: "a", s4: "b"},
		{kind: 1, s1: "t", s2: "Alice: it was me.", s3: "Alice", s4: "Bob", s5: "p", n: 2},
		{kind: 1, s1: "t", s2: "[alice] ：it was me.", s3: "Alice", s4: "Bob", s5: "p", n: 2},
		{kind: 1, s1: "t", s2: "it was me", s3: "Bob1", s4: "bob", s5: "p", n: 3},
		{kind: 1, s1: "t", s2: "it was me", s3: "Al\nice", s4: "Bob", s5: "p", n: 2},
		{kind: 1, s1: "t", s2: "it was me", s3: "Alice", s4: "Bob", s5: "p", n: 11},
		{kind: 1, s1: "t", s2: "it was me", s3: "Alice", s4: "Bob", s5: "p", n: 1},
		{kind: 1, s1: "t", s2: "it was me", s3: "Alice", s4: "Bob", s5: "p", n: 2, turns: 201},
		{kind: 1, s1: "", s2: "it was me", s3: "Alice", s4: "Bob", s5: "p", n: 2, turns: 1},
		{kind: 2, s1: "p", s3: "q", s4: "a", s5: "l", n: 6},
		{kind: 2, s1: "p", s3: "q", s4: "a", s5: "l", n: 0},
		{kind: 2, s1: "p", s3: "q", s4: "a", s5: "l", n: 1, turns: 5},
		{kind: 2, s1: "p", s3: "q", s4: "a", s5: "l", n: 1, turns: 6 + 8*3},
		{kind: 3, s1: "p"},
		{kind: 0, s1: "p", s2: "q", s3: "a", s4: "b", withJudge: true, models: "judge,judge"},
		{kind: 0, s1: "p", s2: "q", s3: "a", s4: "b", withJudge: true, models: "gpt-9"},
		{kind: 0, s1: "p", s2: "q", s3: "a", s4: "b", withJudge: true, models: ",judge"},
		{kind: 0, s1: "p", s2: "q", s3: "a", s4: "b", withJudge: true, policy: 4, cache: -1},
		{kind: 0, s1: "p", s2: "q", s3: "a", s4: "b", withJudge: true, samples: -1},
		{kind: 0, s1: "p", s2: "q", s3: "a", s4: "b", withJudge: true, temp: math.NaN(), hasTemp: true},
		{kind: 0, s1: "p", s2: "q", s3: "a", s4: "b", withJudge: true, minProb: math.Inf(1)},
		{kind: 0, s1: "p", s2: "q", s3: "a", s4: "b", withJudge: true, minProb: math.NaN()},
	}
	for _, s := range seeds {
		f.Add(s.kind, s.itemID, s.s1, s.s2, s.s3, s.s4, s.s5, s.n, s.turns, s.withJudge, s.models, s.policy, s.cache, s.samples, s.temp, s.minProb, s.hasTemp)
	}
	f.Fuzz(func(t *testing.T, kind uint8, itemID, s1, s2, s3, s4, s5 string, n uint8, turns uint16,
		withJudge bool, models string, policy, cache, samples int32, temp, minProb float64, hasTemp bool) {
		fzCheck(t, fzRequest(kind, itemID, s1, s2, s3, s4, s5, n, turns, withJudge, models, policy, cache, samples, temp, minProb, hasTemp))
	})
}

// FuzzValidateScoreWire feeds validateScore what the transport can hand
// it: any bytes that decode as a ScoreRequest.
func FuzzValidateScoreWire(f *testing.F) {
	for _, r := range []*pb.ScoreRequest{
		fzRequest(0, "i", "p", "q", "a", "b", "", 0, 0, true, "judge", 1, 1, 1, 0.5, 0.9, true),
		fzRequest(1, "r", "t", "it was me", "Alice", "Bob", "profile", 3, 2, false, "", 0, 0, 0, 0, 0, false),
		fzRequest(2, "a", "p", "s", "q", "a", "l", 2, 6+8*5, false, "", 0, 0, 0, 0, 0, false),
		{},
		{Task: &pb.ScoreRequest_Preference{}},
		{Task: &pb.ScoreRequest_RoleIdentification{RoleIdentification: &pb.RoleIdentificationTask{Candidates: []*pb.CandidateRole{{}, {}}, Dialogue: []*pb.DialogueTurn{{}}}}},
		{Task: &pb.ScoreRequest_Adherence{Adherence: &pb.PersonaAdherenceTask{CustomRubric: &pb.Rubric{}}}},
	} {
		b, err := proto.Marshal(r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req := &pb.ScoreRequest{}
		if proto.Unmarshal(data, req) != nil {
			return
		}
		fzCheck(t, req)
	})
}
