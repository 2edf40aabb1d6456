package judges

import (
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// AdherencePromptVersion is the first part of the adherence judge's prompt
// version; bump it whenever the adherence prompt or its parsing changes
// meaning. The rubric in use is appended (see Adherence.PromptVersion), so a
// rubric edit changes the judge profile without touching this constant.
const AdherencePromptVersion = "adh-v1"

// RubricLevels is the number of levels of every adherence rubric.
const RubricLevels = 5

// The built-in rubrics are data, not code: one embedded file per task,
// carrying its own version (see rubrics/README.md).
//
//go:embed rubrics/*.txt
var rubricFS embed.FS

// rubricIDs names each task's rubric file; the id also enters the prompt
// version, so profiles of different tasks never share a calibrator.
var rubricIDs = map[pb.AdherenceTaskKind]string{
	pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_EXPECTED_ACTION:      "expected_action",
	pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_ACTION_JUSTIFICATION: "action_justification",
	pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_LINGUISTIC_HABITS:    "linguistic_habits",
	pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_PERSONA_CONSISTENCY:  "persona_consistency",
	pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_TOXICITY_CONTROL:     "toxicity_control",
}

// Rubric is a built-in task rubric as loaded from its embedded file.
type Rubric struct {
	ID      string
	Version string
	Name    string // the task's name as the judge sees it
	Focus   string // the one question the judge answers for this task
	Levels  [RubricLevels]string
}

var builtinRubrics = mustLoadRubrics()

// BuiltinRubric returns the embedded rubric of a task.
func BuiltinRubric(task pb.AdherenceTaskKind) (Rubric, bool) {
	r, ok := builtinRubrics[task]
	return r, ok
}

func mustLoadRubrics() map[pb.AdherenceTaskKind]Rubric {
	out := map[pb.AdherenceTaskKind]Rubric{}
	for task, id := range rubricIDs {
		b, err := rubricFS.ReadFile("rubrics/" + id + ".txt")
		if err != nil {
			panic(fmt.Sprintf("judges: embedded rubric %s: %v", id, err))
		}
		r, err := parseRubric(id, string(b))
		if err != nil {
			// Embedded at build time: a malformed file is a programming
			// error, and TestBuiltinRubrics names it.
			panic(fmt.Sprintf("judges: embedded rubric %s: %v", id, err))
		}
		out[task] = r
	}
	return out
}

// parseRubric reads the "key: value" lines of a rubric file.
func parseRubric(id, text string) (Rubric, error) {
	r := Rubric{ID: id}
	seen := map[string]bool{}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok || val == "" {
			return Rubric{}, fmt.Errorf("line %d: want \"key: value\"", n+1)
		}
		if seen[key] {
			return Rubric{}, fmt.Errorf("line %d: %q given twice", n+1, key)
		}
		seen[key] = true
		switch key {
		case "version":
			r.Version = val
		case "name":
			r.Name = val
		case "focus":
			r.Focus = val
		default:
			lvl, err := strconv.Atoi(key)
			if err != nil || lvl < 1 || lvl > RubricLevels {
				return Rubric{}, fmt.Errorf("line %d: unknown key %q", n+1, key)
			}
			r.Levels[lvl-1] = val
		}
	}
	if r.Version == "" || r.Name == "" || r.Focus == "" {
		return Rubric{}, errors.New("version, name and focus are required")
	}
	for i, l := range r.Levels {
		if l == "" {
			return Rubric{}, fmt.Errorf("level %d is missing", i+1)
		}
	}
	return r, nil
}

// CustomRubricHash is a short content hash of a caller's rubric levels. It
// enters the prompt version, so judgments made with different custom levels
// never share a judge profile (or a calibrator) with each other or the
// built-in. Examples do not enter it: PersonaGym writes five example answers
// per question, and hashing them would give every item a profile of its own,
// so no calibrator could ever be fitted. Whether examples are shown at all
// does change what a score means, and enters the version as "+ex" (see
// PromptVersion). Every level is length-prefixed, so moving text between
// levels changes the hash.
func CustomRubricHash(r *pb.Rubric) string {
	h := sha256.New()
	var buf []byte
	levels := r.GetLevels()
	buf = binary.AppendUvarint(buf[:0], uint64(len(levels)))
	h.Write(buf)
	for _, s := range levels {
		buf = binary.AppendUvarint(buf[:0], uint64(len(s)))
		h.Write(buf)
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// Adherence asks how well an agent's answer keeps to its persona on one
// PersonaGym task, scored 1-5 on a rubric.
//
// Its "options" are the rubric levels: canonical option i is level i+1
// (score i+1). The levels are shown ascending in one order and descending in
// the other, always with their true numbers, and the model answers with the
// number. The number is the level's meaning whatever position it is listed
// in, so parsing needs no mapping back, and the scale never flips: with
// positional labels "1" would mean the best level in the descending order,
// against every model's prior that higher is better, and that prior would
// itself become a position effect. What the two orders isolate is what they
// should: a judge drawn to the first (or last) level listed.
type Adherence struct {
	Item *pb.PersonaAdherenceTask

	digest itemDigest
}

// Digest covers the persona, task, setting, question, answer and any
// custom rubric.
func (a *Adherence) Digest() string {
	return a.digest.get(func() string { return digest(a.Item) })
}

// Labels: the truth is a rubric score.
func (a *Adherence) Labels() LabelSpace { return LabelSpace{Rubric: true} }

// NewAdherence checks what the prompt relies on (a known task; a custom
// rubric of five levels with zero or five examples, or of no levels and five
// examples, which shows the built-in levels with the examples); the server
// validates the same and names the field, so this is a backstop for other
// callers.
func NewAdherence(item *pb.PersonaAdherenceTask) (*Adherence, error) {
	if _, ok := builtinRubrics[item.GetTask()]; !ok {
		return nil, fmt.Errorf("unknown adherence task %v", item.GetTask())
	}
	if r := item.GetCustomRubric(); r != nil {
		if len(r.Levels) != 0 && len(r.Levels) != RubricLevels {
			return nil, fmt.Errorf("custom rubric has %d levels, want none or %d", len(r.Levels), RubricLevels)
		}
		if len(r.Examples) != 0 && len(r.Examples) != RubricLevels {
			return nil, fmt.Errorf("custom rubric has %d examples, want none or %d", len(r.Examples), RubricLevels)
		}
		if len(r.Levels) == 0 && len(r.Examples) == 0 {
			return nil, errors.New("custom rubric has neither levels nor examples")
		}
	}
	return &Adherence{Item: item}, nil
}

func (a *Adherence) Kind() string { return "adherence" }

// rubric is the task's built-in rubric; its name and focus frame the prompt
// even when a custom rubric replaces the levels. An unknown task (rejected
// by NewAdherence and the server) yields an empty rubric.
func (a *Adherence) rubric() Rubric { return builtinRubrics[a.Item.GetTask()] }

// PromptVersion is "adh-v1.<task>.<rubric>", where <rubric> is the built-in
// file's version (for example "r1") or "c-" and the hash of the custom
// levels, followed by "+ex" when per-item score examples are shown. The
// rubric family, not the examples, identifies the profile: PersonaGym's
// faithful mode (built-in levels, five generated examples per question) is
// "adh-v1.<task>.r1+ex" for every item, so a calibrator can be fitted on it.
func (a *Adherence) PromptVersion() string {
	b := a.rubric()
	version := b.Version
	r := a.Item.CustomRubric
	if len(r.GetLevels()) > 0 {
		version = "c-" + CustomRubricHash(r)
	}
	if len(r.GetExamples()) > 0 {
		version += "+ex"
	}
	return AdherencePromptVersion + "." + b.ID + "." + version
}

// customLevels reports whether a caller's rubric replaces the built-in
// levels (a rubric of examples only keeps them).
func (a *Adherence) customLevels() bool { return len(a.Item.CustomRubric.GetLevels()) > 0 }

// Orders shows the rubric ascending (levels 1..5) and descending (5..1);
// the single policy shows it ascending only. Cyclic shifts would break the
// scale into a wrapped list that no reader expects, so every policy other
// than single means both directions.
func (a *Adherence) Orders(policy pb.OrderPolicy) [][]int {
	asc := make([]int, RubricLevels)
	desc := make([]int, RubricLevels)
	for i := range asc {
		asc[i], desc[i] = i, RubricLevels-1-i
	}
	if policy == pb.OrderPolicy_ORDER_POLICY_SINGLE {
		return [][]int{asc}
	}
	return [][]int{asc, desc}
}

func (a *Adherence) Untrusted() []string {
	out := []string{a.Item.Persona, a.Item.Setting, a.Item.Question, a.Item.Answer}
	if r := a.Item.CustomRubric; r != nil {
		out = append(out, r.Levels...)
		out = append(out, r.Examples...)
	}
	return out
}

func (a *Adherence) Prompt(order []int, f Fence) (string, string) {
	b := a.rubric()
	var sys strings.Builder
	fmt.Fprintf(&sys, `You judge how well a persona agent stays in character. The agent was told to play the persona given below, was placed in a setting, was asked a question, and gave the answer under judgment. Judge one aspect only, %s: %s

Score the answer on the five-level rubric in the user message by choosing the level whose description fits the answer best. Each level carries its own number, from 1 (worst) to 5 (best), and that number is the score, whichever position the level is listed in. The order the levels are listed in, and the length of the answer, are not evidence.`, strings.ToLower(b.Name), b.Focus)
	if ex := a.Item.CustomRubric.GetExamples(); len(ex) > 0 {
		sys.WriteString(` Each level comes with an example answer at that level; use the examples to calibrate, not as answers to match word for word.`)
	}
	sys.WriteString("\n\n" + certaintyBands + "\n\n" + f.Rules() + "\n\n")
	sys.WriteString(`Reply with one JSON object and nothing else: {"rationale": "<at most 60 words>", "score": <integer 1-5, the number of the level>, "certainty": <integer 1-100>}`)

	var user strings.Builder
	user.WriteString("Persona the agent plays:\n" + f.Wrap("persona", a.Item.Persona) + "\n\n")
	if strings.TrimSpace(a.Item.Setting) != "" {
		user.WriteString("Setting:\n" + f.Wrap("setting", a.Item.Setting) + "\n\n")
	}
	user.WriteString("Question put to the agent:\n" + f.Wrap("question", a.Item.Question) + "\n\n")
	user.WriteString("The agent's answer:\n" + f.Wrap("answer", a.Item.Answer) + "\n\n")
	direction := "from 1 up to 5"
	if len(order) > 1 && order[0] > order[1] {
		direction = "from 5 down to 1"
	}
	fmt.Fprintf(&user, "Rubric for %s, levels listed %s:\n", strings.ToLower(b.Name), direction)
	custom := a.Item.CustomRubric
	for _, lvl := range order {
		score := lvl + 1
		if a.customLevels() {
			fmt.Fprintf(&user, "Score %d:\n%s\n", score, f.Wrap(fmt.Sprintf("level %d", score), custom.Levels[lvl]))
		} else {
			fmt.Fprintf(&user, "Score %d: %s\n", score, b.Levels[lvl])
		}
		if len(custom.GetExamples()) == RubricLevels {
			fmt.Fprintf(&user, "Example answer at score %d:\n%s\n", score, f.Wrap(fmt.Sprintf("example %d", score), custom.Examples[lvl]))
		}
	}
	user.WriteString("\nWhich level fits the answer? Answer with the JSON object: score 1-5 (the number of the level), certainty 1-100.")
	return sys.String(), user.String()
}

func (a *Adherence) Schema() *clients.Schema { return adherenceSchema }

// adherenceSchema is built once and shared: the client encodes a schema on
// first use and keeps the bytes.
var adherenceSchema = &clients.Schema{Name: "adherence_judgment", Schema: map[string]any{
	"type": "object",
	"properties": map[string]any{
		"rationale": map[string]any{"type": "string"},
		"score":     map[string]any{"type": "integer", "minimum": 1, "maximum": RubricLevels},
		"certainty": map[string]any{"type": "integer", "minimum": 1, "maximum": 100},
	},
	"required":             []any{"rationale", "score", "certainty"},
	"additionalProperties": false,
}}

// Parse reads the score. The order is not needed: levels are shown with
// their true numbers, so the number answered is the level meant.
func (a *Adherence) Parse(content string, _ []int) (Parsed, error) {
	obj, repaired, err := decodeObject(content)
	if err != nil {
		obj, repaired = adherenceTextFields(content), true
		if len(obj) == 0 {
			return Parsed{}, err
		}
	}
	score, srep, err := readScore(obj)
	if err != nil {
		return Parsed{}, err
	}
	c, crep, err := readCertainty(obj)
	if err != nil {
		return Parsed{}, err
	}
	rationale, _ := stringField(obj, "rationale", "reason", "explanation")
	return Parsed{
		Answer:    &pb.Answer{Score: ptr(float64(score))},
		Certainty: c,
		Rationale: rationale,
		Repaired:  repaired || srep || crep,
	}, nil
}

// reScoreText accepts the spellings models use for a level in a string:
// "4", "4/5", "4 out of 5", "Score 4", "level 4".
var reScoreText = regexp.MustCompile(`(?i)^\s*(?:score|level)?\s*:?\s*([0-9]+(?:\.[0-9]+)?)\s*(?:/\s*5|out of 5)?\s*\.?\s*$`)

// readScore reads the score as a whole level 1..5. A fractional or
// out-of-range score is an error (the engine re-asks), never clamped: a
// clamped 7 would pass off a misread scale as a verdict.
func readScore(obj map[string]any) (int, bool, error) {
	var v float64
	repaired := false
	switch x := firstPresent(obj, "score", "rating", "level").(type) {
	case nil:
		return 0, false, errors.New(`missing "score"`)
	case float64:
		v = x
	case string:
		m := reScoreText.FindStringSubmatch(x)
		if m == nil {
			return 0, false, fmt.Errorf(`"score" must be an integer 1-5, got %q`, clip(x, 40))
		}
		v, _ = strconv.ParseFloat(m[1], 64)
		repaired = true
	default:
		return 0, false, errors.New(`"score" must be an integer 1-5`)
	}
	if v != math.Trunc(v) {
		return 0, false, fmt.Errorf(`"score" must be a whole level 1-5, got %v`, v)
	}
	if v < 1 || v > RubricLevels {
		return 0, false, fmt.Errorf(`"score" %v is outside 1..5`, v)
	}
	return int(v), repaired, nil
}

func firstPresent(obj map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := obj[k]; ok {
			return v
		}
	}
	return nil
}

var (
	reScoreKey   = regexp.MustCompile(`(?i)"?\b(?:score|rating)\b"?\s*[:=]\s*"?\s*([0-9]+(?:\.[0-9]+)?)`)
	reFinalScore = regexp.MustCompile(`(?i)\bfinal score is\s*([0-9]+(?:\.[0-9]+)?)`)
)

// adherenceTextFields reads "score: N" (or "the final score is N") and
// "certainty: N" from prose, the last rung of the structured-output ladder.
func adherenceTextFields(content string) map[string]any {
	obj := map[string]any{}
	if m := reScoreKey.FindStringSubmatch(content); m != nil {
		obj["score"] = m[1]
	} else if m := reFinalScore.FindStringSubmatch(content); m != nil {
		obj["score"] = m[1]
	}
	if c, ok := textFields(content)["certainty"]; ok {
		obj["certainty"] = c
	}
	return obj
}

// Aggregate averages the scores; see aggregateScores.
func (a *Adherence) Aggregate(votes []*pb.Vote) Outcome {
	return aggregateScores(votes)
}
