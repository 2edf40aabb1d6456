package judges

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

const (
	taskEA = pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_EXPECTED_ACTION
	taskAJ = pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_ACTION_JUSTIFICATION
	taskLH = pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_LINGUISTIC_HABITS
	taskPC = pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_PERSONA_CONSISTENCY
	taskTC = pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_TOXICITY_CONTROL
)

func adherenceItem() *pb.PersonaAdherenceTask {
	return &pb.PersonaAdherenceTask{
		Persona:  "A retired lighthouse keeper from Cornwall who distrusts smartphones.",
		Task:     taskEA,
		Setting:  "A storm knocks out the village's power.",
		Question: "What do you do first?",
		Answer:   "I light the paraffin lamps, as I did for forty years.",
	}
}

func customRubric(examples bool) *pb.Rubric {
	r := &pb.Rubric{Levels: []string{"lvl-one text", "lvl-two text", "lvl-three text", "lvl-four text", "lvl-five text"}}
	if examples {
		r.Examples = []string{"ex-one", "ex-two", "ex-three", "ex-four", "ex-five"}
	}
	return r
}

func TestBuiltinRubrics(t *testing.T) {
	t.Parallel()
	names := map[string]bool{}
	for _, task := range AdherenceTasks {
		r, ok := BuiltinRubric(task)
		if !ok {
			t.Fatalf("%v: no built-in rubric", task)
		}
		if r.Version == "" || r.Name == "" || r.Focus == "" || names[r.Name] {
			t.Fatalf("%v: rubric header %+v (duplicate name?)", task, r)
		}
		names[r.Name] = true
		for i, l := range r.Levels {
			if len(l) < 40 {
				t.Errorf("%v level %d is too short to guide a judge: %q", task, i+1, l)
			}
		}
	}
	if _, ok := BuiltinRubric(pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_UNSPECIFIED); ok {
		t.Fatal("UNSPECIFIED has a rubric")
	}
}

// The rubric text is pinned: an edit must bump the file's version line, so
// the judge profile (and any calibrator fitted on it) changes with it.
// After bumping, put the new version and hash here.
func TestRubricFilesPinned(t *testing.T) {
	t.Parallel()
	pinned := map[string]struct{ version, sha256 string }{
		"expected_action":      {"r1", "c1cb6890fcc421023af20bd64185947d44a86f7be82bf26a457f1c4e40f74423"},
		"action_justification": {"r1", "36e2458002f8e19fbdd4a0115e26f2d8795c92303e866770ebf3d06e3203de3d"},
		"linguistic_habits":    {"r1", "27ce7f4ea1d1cb1359dc54979133c583a68e6c4efc25c02a853a822fa337dd66"},
		"persona_consistency":  {"r1", "b8afa88989fb88e40ce76048d4c43d835459fd0daa95f2f2945b889aec3daf99"},
		"toxicity_control":     {"r1", "0b1118be7014c6225337af4f36fe41f85fb6c1d84d009e487d2c44e78a0ebbf8"},
	}
	if len(pinned) != len(rubricIDs) {
		t.Fatalf("%d rubrics pinned, %d embedded", len(pinned), len(rubricIDs))
	}
	for task, id := range rubricIDs {
		b, err := rubricFS.ReadFile("rubrics/" + id + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		got, want := hex.EncodeToString(sum[:]), pinned[id]
		r, _ := BuiltinRubric(task)
		if got != want.sha256 || r.Version != want.version {
			t.Errorf("rubrics/%s.txt changed (version %q, sha256 %s; pinned %q, %s): bump its version line if the meaning changed, then pin the new version and hash",
				id, r.Version, got, want.version, want.sha256)
		}
	}
}

func TestParseRubricErrors(t *testing.T) {
	t.Parallel()
	good := "version: r1\nname: N\nfocus: F\n1: a\n2: b\n3: c\n4: d\n5: e\n"
	if _, err := parseRubric("x", good); err != nil {
		t.Fatalf("good rubric: %v", err)
	}
	for name, text := range map[string]string{
		"missing level":  strings.Replace(good, "4: d\n", "", 1),
		"level 6":        good + "6: f\n",
		"no version":     strings.Replace(good, "version: r1\n", "", 1),
		"duplicate key":  good + "3: again\n",
		"not key: value": good + "just text\n",
		"empty value":    strings.Replace(good, "name: N", "name:", 1),
	} {
		if _, err := parseRubric("x", text); err == nil {
			t.Errorf("%s: parsed without error", name)
		}
	}
}

func TestNewAdherenceRejects(t *testing.T) {
	t.Parallel()
	tests := map[string]func(*pb.PersonaAdherenceTask){
		"unspecified task": func(a *pb.PersonaAdherenceTask) { a.Task = 0 },
		"unknown task":     func(a *pb.PersonaAdherenceTask) { a.Task = 9 },
		"four levels":      func(a *pb.PersonaAdherenceTask) { a.CustomRubric = &pb.Rubric{Levels: []string{"a", "b", "c", "d"}} },
		"two examples": func(a *pb.PersonaAdherenceTask) {
			a.CustomRubric = customRubric(false)
			a.CustomRubric.Examples = []string{"x", "y"}
		},
	}
	for name, edit := range tests {
		item := adherenceItem()
		edit(item)
		if _, err := NewAdherence(item); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, r := range []*pb.Rubric{nil, customRubric(false), customRubric(true)} {
		item := adherenceItem()
		item.CustomRubric = r
		if _, err := NewAdherence(item); err != nil {
			t.Errorf("rubric %v rejected: %v", r, err)
		}
	}
}

func TestAdherencePromptVersion(t *testing.T) {
	t.Parallel()
	version := func(task pb.AdherenceTaskKind, r *pb.Rubric) string {
		item := adherenceItem()
		item.Task, item.CustomRubric = task, r
		return (&Adherence{Item: item}).PromptVersion()
	}
	if got := version(taskEA, nil); got != "adh-v1.expected_action.r1" {
		t.Fatalf("built-in version = %q", got)
	}
	if got := version(taskTC, nil); got != "adh-v1.toxicity_control.r1" {
		t.Fatalf("built-in version = %q", got)
	}
	custom := version(taskEA, customRubric(false))
	if !strings.HasPrefix(custom, "adh-v1.expected_action.c-") || len(custom) != len("adh-v1.expected_action.c-")+12 {
		t.Fatalf("custom version = %q, want adh-v1.expected_action.c-<12 hex>", custom)
	}
	if again := version(taskEA, customRubric(false)); again != custom {
		t.Fatalf("same custom rubric, different versions %q %q", custom, again)
	}
	// Every change of the custom rubric's content shows in the version.
	edits := map[string]*pb.Rubric{
		"examples added":            customRubric(true),
		"examples only":             {Examples: []string{"e1", "e2", "e3", "e4", "e5"}},
		"level reworded":            {Levels: []string{"lvl-one text", "lvl-two text", "lvl-three text!", "lvl-four text", "lvl-five text"}},
		"text moved between levels": {Levels: []string{"lvl-one textlvl-two", " text", "lvl-three text", "lvl-four text", "lvl-five text"}},
		"levels swapped":            {Levels: []string{"lvl-two text", "lvl-one text", "lvl-three text", "lvl-four text", "lvl-five text"}},
	}
	seen := map[string]string{custom: "original"}
	for name, r := range edits {
		v := version(taskEA, r)
		if prev, dup := seen[v]; dup {
			t.Errorf("%s: version %q equals that of %s", name, v, prev)
		}
		seen[v] = name
	}
}

// Per-item score examples must not split the judge profile: the rubric
// family (task, levels, whether examples are shown) identifies it, so a
// calibrator can be fitted on PersonaGym's faithful mode.
func TestAdherenceExamplesKeepTheProfile(t *testing.T) {
	t.Parallel()
	version := func(r *pb.Rubric) string {
		item := adherenceItem()
		item.Task = taskEA
		item.CustomRubric = r
		a, err := NewAdherence(item)
		if err != nil {
			t.Fatal(err)
		}
		return a.PromptVersion()
	}
	exA := &pb.Rubric{Examples: []string{"a1", "a2", "a3", "a4", "a5"}}
	exB := &pb.Rubric{Examples: []string{"b1", "b2", "b3", "b4", "b5"}}
	if got := version(exA); got != "adh-v1.expected_action.r1+ex" {
		t.Fatalf("built-in levels with examples: version %q, want adh-v1.expected_action.r1+ex", got)
	}
	if version(exA) != version(exB) {
		t.Errorf("different examples give different profiles: %q, %q", version(exA), version(exB))
	}
	levels := customRubric(false)
	withEx := customRubric(true)
	if version(withEx) != version(levels)+"+ex" {
		t.Errorf("custom levels with examples = %q, want %q", version(withEx), version(levels)+"+ex")
	}
	other := customRubric(true)
	other.Examples = []string{"z1", "z2", "z3", "z4", "z5"}
	if version(other) != version(withEx) {
		t.Errorf("custom levels: examples split the profile: %q, %q", version(other), version(withEx))
	}
}

func TestAdherenceOrders(t *testing.T) {
	t.Parallel()
	a := &Adherence{Item: adherenceItem()}
	asc, desc := []int{0, 1, 2, 3, 4}, []int{4, 3, 2, 1, 0}
	for _, tt := range []struct {
		policy pb.OrderPolicy
		want   [][]int
	}{
		{pb.OrderPolicy_ORDER_POLICY_UNSPECIFIED, [][]int{asc, desc}},
		{pb.OrderPolicy_ORDER_POLICY_CYCLIC, [][]int{asc, desc}},
		{pb.OrderPolicy_ORDER_POLICY_REVERSED, [][]int{asc, desc}},
		{pb.OrderPolicy_ORDER_POLICY_SINGLE, [][]int{asc}},
	} {
		got := a.Orders(tt.policy)
		if !slices.EqualFunc(got, tt.want, slices.Equal) {
			t.Errorf("%v: orders %v, want %v", tt.policy, got, tt.want)
		}
	}
}

// render returns the prompt as the fake LLM sees it.
func render(a *Adherence, order []int) (*llmfake.Request, Fence) {
	f := NewFence(a.Untrusted()...)
	sys, user := a.Prompt(order, f)
	return &llmfake.Request{Messages: []llmfake.Message{{Role: "system", Content: sys}, {Role: "user", Content: user}}}, f
}

// levelNumbers lists the "Score N:" labels in the service's own text, in
// the order shown.
func levelNumbers(outside string) []string {
	var out []string
	for _, line := range strings.Split(outside, "\n") {
		if strings.HasPrefix(line, "Score ") && len(line) >= 8 && line[7] == ':' {
			out = append(out, line[6:7])
		}
	}
	return out
}

func TestAdherencePromptFencesCallerText(t *testing.T) {
	t.Parallel()
	item := adherenceItem()
	item.CustomRubric = customRubric(true)
	a := &Adherence{Item: item}
	for _, order := range a.Orders(pb.OrderPolicy_ORDER_POLICY_UNSPECIFIED) {
		req, _ := render(a, order)
		blocks, outside := fakejudge.Split(req)
		for _, text := range a.Untrusted() {
			if strings.Contains(outside, text) || strings.Contains(req.System(), text) {
				t.Errorf("caller text %q appears outside the fences", text)
			}
			found := false
			for _, b := range blocks {
				found = found || b.Text == text
			}
			if !found {
				t.Errorf("caller text %q is not a fenced block", text)
			}
		}
		// Each custom level and example is fenced under its true number.
		for i, lvl := range order {
			want := item.CustomRubric.Levels[lvl]
			if got, _ := fakejudge.BlockText(blocks, "level "+string(rune('1'+lvl))); got != want {
				t.Errorf("order %v position %d: level block %q, want %q", order, i, got, want)
			}
			if got, _ := fakejudge.BlockText(blocks, "example "+string(rune('1'+lvl))); got != item.CustomRubric.Examples[lvl] {
				t.Errorf("order %v: example block %q", order, got)
			}
		}
	}
}

// The levels carry their true numbers in both orders: ascending lists 1..5,
// descending 5..1, each number next to its own description.
func TestAdherencePromptShowsTrueLevelNumbers(t *testing.T) {
	t.Parallel()
	a := &Adherence{Item: adherenceItem()}
	r, _ := BuiltinRubric(taskEA)
	for _, tt := range []struct {
		order     []int
		labels    string
		direction string
	}{
		{[]int{0, 1, 2, 3, 4}, "12345", "from 1 up to 5"},
		{[]int{4, 3, 2, 1, 0}, "54321", "from 5 down to 1"},
	} {
		req, _ := render(a, tt.order)
		_, outside := fakejudge.Split(req)
		if got := strings.Join(levelNumbers(outside), ""); got != tt.labels {
			t.Errorf("order %v: labels %q, want %q", tt.order, got, tt.labels)
		}
		if !strings.Contains(outside, tt.direction) {
			t.Errorf("order %v: prompt does not say the levels run %s", tt.order, tt.direction)
		}
		for lvl, text := range r.Levels {
			if !strings.Contains(outside, "Score "+string(rune('1'+lvl))+": "+text+"\n") {
				t.Errorf("order %v: level %d not shown with its own number", tt.order, lvl+1)
			}
		}
		if !strings.Contains(req.System(), r.Focus) || !strings.Contains(req.System(), certaintyBands) {
			t.Errorf("system prompt lacks the task focus or the certainty bands")
		}
	}
	// No setting: no empty setting block.
	item := adherenceItem()
	item.Setting = ""
	req, _ := render(&Adherence{Item: item}, []int{0, 1, 2, 3, 4})
	if blocks, _ := fakejudge.Split(req); len(blocks) != 3 {
		t.Errorf("without a setting: %d blocks, want persona, question and answer", len(blocks))
	}
}

func TestAdherenceParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		content   string
		score     float64
		certainty float64
		repaired  bool
		wantErr   string
	}{
		{name: "strict", content: `{"rationale":"fits","score":4,"certainty":80}`, score: 4, certainty: 80},
		{name: "code fence", content: "```json\n{\"score\": 2, \"certainty\": 55, \"rationale\": \"x\"}\n```", score: 2, certainty: 55, repaired: true},
		{name: "score as string", content: `{"score":"5","certainty":90}`, score: 5, certainty: 90, repaired: true},
		{name: "score as 3/5", content: `{"score":"3/5","certainty":70}`, score: 3, certainty: 70, repaired: true},
		{name: "score as Level 1", content: `{"score":"Level 1","certainty":70}`, score: 1, certainty: 70, repaired: true},
		{name: "whole float", content: `{"score":4.0,"certainty":60}`, score: 4, certainty: 60},
		{name: "rating key", content: `{"rating":2,"certainty":60}`, score: 2, certainty: 60},
		{name: "certainty fraction", content: `{"score":3,"certainty":0.8}`, score: 3, certainty: 80, repaired: true},
		{name: "prose", content: "The answer fits well.\nScore: 4\nCertainty: 75", score: 4, certainty: 75, repaired: true},
		{name: "prose final score", content: "Therefore, the final score is 2. Certainty: 40", score: 2, certainty: 40, repaired: true},
		{name: "out of range high", content: `{"score":7,"certainty":80}`, wantErr: "outside 1..5"},
		{name: "out of range zero", content: `{"score":0,"certainty":80}`, wantErr: "outside 1..5"},
		{name: "prose out of range", content: "Score: 9, certainty: 80", wantErr: "outside 1..5"},
		{name: "fractional", content: `{"score":4.5,"certainty":80}`, wantErr: "whole level"},
		{name: "word", content: `{"score":"excellent","certainty":80}`, wantErr: "integer 1-5"},
		{name: "bool", content: `{"score":true,"certainty":80}`, wantErr: "integer 1-5"},
		{name: "missing score", content: `{"certainty":80}`, wantErr: `missing "score"`},
		{name: "missing certainty", content: `{"score":3}`, wantErr: `missing "certainty"`},
		{name: "empty", content: "  ", wantErr: "empty output"},
		{name: "no fields", content: "I cannot judge this.", wantErr: "no JSON object"},
	}
	a := &Adherence{Item: adherenceItem()}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The number answered is the level meant, in either order.
			for _, order := range a.Orders(pb.OrderPolicy_ORDER_POLICY_UNSPECIFIED) {
				p, err := a.Parse(tt.content, order)
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("order %v: err = %v, want %q", order, err, tt.wantErr)
					}
					continue
				}
				if err != nil {
					t.Fatalf("order %v: %v", order, err)
				}
				if p.Answer.GetScore() != tt.score || p.Answer.Score == nil || p.Certainty != tt.certainty || p.Repaired != tt.repaired {
					t.Fatalf("order %v: got score %v certainty %v repaired %v, want %v %v %v",
						order, p.Answer.Score, p.Certainty, p.Repaired, tt.score, tt.certainty, tt.repaired)
				}
				if p.Answer.Choice != nil || p.Answer.Tie {
					t.Fatalf("a rubric answer carries a choice: %v", p.Answer)
				}
			}
		})
	}
}

func TestAdherenceSchema(t *testing.T) {
	t.Parallel()
	s := (&Adherence{Item: adherenceItem()}).Schema().Schema
	props := s["properties"].(map[string]any)
	score := props["score"].(map[string]any)
	if score["type"] != "integer" || score["minimum"] != 1 || score["maximum"] != RubricLevels {
		t.Fatalf("score schema = %v", score)
	}
	if req := s["required"].([]any); len(req) != 3 {
		t.Fatalf("required = %v", req)
	}
}
