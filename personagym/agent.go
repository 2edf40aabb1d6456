package personagym

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/template"

	"github.com/personajudge/personajudge/clients"
)

// DefaultSystemTemplate is the agent's system prompt; {{.Persona}} is the
// persona description.
const DefaultSystemTemplate = "You are {{.Persona}}. Your responses should closely mirror the knowledge and abilities of this persona. Stay in character and answer as this persona would."

// Agent is the persona agent under test: an OpenAI-compatible model with a
// system prompt that gives it the persona. Its calls have the model's
// concurrency bound and retries (package clients).
type Agent struct {
	model  *clients.Model
	system *template.Template
	id     string // model, endpoint and template: part of every cache key
}

// NewAgent configures the agent. The model answers in plain text.
func NewAgent(cfg clients.ModelConfig, systemTemplate string) (*Agent, error) {
	if systemTemplate == "" {
		systemTemplate = DefaultSystemTemplate
	}
	tmpl, err := template.New("system").Option("missingkey=error").Parse(systemTemplate)
	if err != nil {
		return nil, fmt.Errorf("agent system template: %w", err)
	}
	if err := tmpl.Execute(&strings.Builder{}, map[string]string{"Persona": "x"}); err != nil {
		return nil, fmt.Errorf("agent system template: %w", err)
	}
	cfg.Output = string(clients.OutputText)
	m, err := newModel(cfg, "agent")
	if err != nil {
		return nil, err
	}
	return &Agent{model: m, system: tmpl, id: cacheKey(cfg.Name, cfg.Model, cfg.BaseURL, systemTemplate)}, nil
}

// Answer asks the agent one question in the persona's character.
func (a *Agent) Answer(ctx context.Context, persona, question string) (string, error) {
	var sys strings.Builder
	if err := a.system.Execute(&sys, map[string]string{"Persona": persona}); err != nil {
		return "", err
	}
	resp, err := a.model.Complete(ctx, clients.Request{Messages: []clients.Message{
		{Role: "system", Content: sys.String()},
		{Role: "user", Content: question},
	}})
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(resp.Content) == "" {
		return "", errors.New("the agent answered nothing")
	}
	return resp.Content, nil
}

// newModel is one configured model outside any registry of judges.
func newModel(cfg clients.ModelConfig, role string) (*clients.Model, error) {
	if cfg.Name == "" {
		cfg.Name = role
	}
	if cfg.Model == "" {
		return nil, fmt.Errorf("%s: the model id is required", role)
	}
	reg, err := clients.NewRegistry(clients.FileConfig{Models: []clients.ModelConfig{cfg}})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", role, err)
	}
	m, _ := reg.Get(cfg.Name)
	return m, nil
}
