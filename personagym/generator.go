package personagym

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
)

// generatorPromptVersion enters every generator cache key; bump it when the
// prompts below change meaning.
const generatorPromptVersion = "pg-gen-v1"

// DefaultReasks is how often a generator answer of the wrong shape is asked
// for again before the item is reported.
const DefaultReasks = 2

// Generator writes what PersonaGym has a strong model write: score
// examples (one answer per rubric level for a persona and question) and,
// for personas given without questions, the questions.
type Generator struct {
	model  *clients.Model
	reasks int
	id     string
}

// NewGenerator configures the generator model.
func NewGenerator(cfg clients.ModelConfig, reasks int) (*Generator, error) {
	m, err := newModel(cfg, "generator")
	if err != nil {
		return nil, err
	}
	return &Generator{model: m, reasks: reasks, id: cacheKey(cfg.Name, cfg.Model, cfg.BaseURL, generatorPromptVersion)}, nil
}

// ShapeError is a generator answer that is not what was asked for, after
// the re-asks.
type ShapeError struct {
	What     string // "score examples" or "questions"
	Attempts int
	Reason   string
}

func (e *ShapeError) Error() string {
	return fmt.Sprintf("generator: %s: %s (after %d attempts)", e.What, e.Reason, e.Attempts)
}

var examplesSchema = &clients.Schema{Name: "score_examples", Schema: map[string]any{
	"type": "object",
	"properties": map[string]any{
		"examples": map[string]any{"type": "array", "items": map[string]any{"type": "string"}, "minItems": judges.RubricLevels, "maxItems": judges.RubricLevels},
	},
	"required":             []any{"examples"},
	"additionalProperties": false,
}}

// Examples writes five example answers to question by the persona, the
// first at score 1 of the task's rubric and the last at score 5.
func (g *Generator) Examples(ctx context.Context, persona string, task pb.AdherenceTaskKind, question string) ([]string, error) {
	rubric, _ := judges.BuiltinRubric(task)
	var levels strings.Builder
	for i, l := range rubric.Levels {
		fmt.Fprintf(&levels, "Score %d: %s\n", i+1, l)
	}
	sys := `You write example answers that a rubric grader uses as anchors. For the persona, the question and the rubric given, write five answers the persona's agent might give: the first deserves score 1, the second score 2, and so on up to the fifth, which deserves score 5. Each example is a complete answer of a few sentences. Reply with one JSON object and nothing else: {"examples": ["<score 1 answer>", "<score 2 answer>", "<score 3 answer>", "<score 4 answer>", "<score 5 answer>"]}`
	user := fmt.Sprintf("Persona:\n%s\n\nTask: %s. %s\n\nQuestion:\n%s\n\nRubric:\n%s", persona, rubric.Name, rubric.Focus, question, levels.String())
	return g.list(ctx, "score examples", sys, user, examplesSchema, "examples", judges.RubricLevels)
}

var questionsSchema = &clients.Schema{Name: "questions", Schema: map[string]any{
	"type": "object",
	"properties": map[string]any{
		"questions": map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
	},
	"required":             []any{"questions"},
	"additionalProperties": false,
}}

// Questions chooses settings the persona would plausibly be in and writes
// n questions for the task, each set in one of them, as PersonaGym's
// question generation does.
func (g *Generator) Questions(ctx context.Context, persona string, task pb.AdherenceTaskKind, n int) ([]string, error) {
	rubric, _ := judges.BuiltinRubric(task)
	sys := fmt.Sprintf(`You write evaluation questions for persona agents. First choose settings this persona would plausibly find themselves in; then write %d questions that test %s (%s). Each question names its setting and asks what the persona would do, say or think there. Reply with one JSON object and nothing else: {"questions": ["...", ...]} with exactly %d questions.`, n, strings.ToLower(rubric.Name), rubric.Focus, n)
	return g.list(ctx, "questions", sys, "Persona:\n"+persona, questionsSchema, "questions", n)
}

// list asks for a JSON list of exactly want non-empty strings under field,
// re-asking with the reason when the answer has another shape.
func (g *Generator) list(ctx context.Context, what, sys, user string, schema *clients.Schema, field string, want int) ([]string, error) {
	msgs := []clients.Message{{Role: "system", Content: sys}, {Role: "user", Content: user}}
	var reason string
	for attempt := 1; attempt <= g.reasks+1; attempt++ {
		resp, err := g.model.Complete(ctx, clients.Request{Messages: msgs, Schema: schema})
		if err != nil {
			return nil, err
		}
		out, err := readList(resp.Content, field, want)
		if err == nil {
			return out, nil
		}
		reason = err.Error()
		msgs = append(msgs,
			clients.Message{Role: "assistant", Content: resp.Content},
			clients.Message{Role: "user", Content: "That answer cannot be used: " + reason + ". Reply again with the JSON object only."})
		if attempt == g.reasks+1 {
			return nil, &ShapeError{What: what, Attempts: attempt, Reason: reason}
		}
	}
	return nil, &ShapeError{What: what, Reason: reason}
}

// readList reads {"<field>": [want non-empty strings]}.
func readList(content, field string, want int) ([]string, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(strings.TrimSpace(content)), &obj); err != nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	raw, ok := obj[field]
	if !ok {
		return nil, fmt.Errorf("no %q list", field)
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("%q is not a list of strings", field)
	}
	if len(list) != want {
		return nil, fmt.Errorf("%d %s, want %d", len(list), field, want)
	}
	for i, s := range list {
		if strings.TrimSpace(s) == "" {
			return nil, fmt.Errorf("%s[%d] is empty", field, i)
		}
	}
	return list, nil
}
