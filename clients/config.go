// Package clients is the LLM side of PersonaJudge: OpenAI-compatible chat
// completions through openai-go, one configured client per named judge model,
// with a per-model concurrency limit, retries, a structured-output fallback
// ladder and an OpenTelemetry span per call. It imports nothing of ours.
package clients

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"
)

// DefaultBaseURL is Ollama's OpenAI-compatible endpoint, the most common
// local backend; any OpenAI-compatible server works.
const DefaultBaseURL = "http://localhost:11434/v1"

// ModelConfig configures one named judge model.
type ModelConfig struct {
	// Name is how requests refer to the model (JudgeConfig.models).
	Name string `json:"name"`
	// BaseURL of the OpenAI-compatible API, ending in /v1 for most servers.
	BaseURL string `json:"base_url"`
	// APIKeyEnv names the environment variable holding the API key; the key
	// itself never appears in configuration files.
	APIKeyEnv string `json:"api_key_env,omitempty"`
	// Model is the backend's model id; defaults to Name.
	Model string `json:"model,omitempty"`
	// MaxConcurrency bounds calls in flight to this model; default 8.
	MaxConcurrency int `json:"max_concurrency,omitempty"`
	// RequestsPerMinute bounds the call rate; 0 means no limit.
	RequestsPerMinute int `json:"requests_per_minute,omitempty"`
	// Timeout bounds one HTTP attempt, as a Go duration ("60s"); default 60s.
	Timeout string `json:"timeout,omitempty"`
	// MaxRetries for 408/409/429/5xx and connection errors, honouring
	// Retry-After; default 3.
	MaxRetries *int `json:"max_retries,omitempty"`
	// Output forces the structured-output mode ("json_schema",
	// "json_object", "text"); default starts at json_schema and falls back
	// when the backend refuses it.
	Output string `json:"output,omitempty"`
	// MaxTokens bounds the judge's completion; default 512.
	MaxTokens int `json:"max_tokens,omitempty"`

	apiKey string
}

// FileConfig is the JSON models file given to `serve --models`.
type FileConfig struct {
	// Default names the model used when a request names none; default the
	// first model.
	Default string        `json:"default,omitempty"`
	Models  []ModelConfig `json:"models"`
}

// LoadFile reads a models file.
func LoadFile(path string) (FileConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return FileConfig{}, err
	}
	var fc FileConfig
	dec := json.NewDecoder(bytesReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		return FileConfig{}, fmt.Errorf("models file %s: %w", path, err)
	}
	if dec.More() {
		return FileConfig{}, fmt.Errorf("models file %s: unexpected data after the JSON object", path)
	}
	return fc, nil
}

// FromEnv is the single default model read from OPENAI_BASE_URL (default
// Ollama's), OPENAI_API_KEY and PERSONAJUDGE_MODEL.
func FromEnv() FileConfig {
	base := os.Getenv("OPENAI_BASE_URL")
	if base == "" {
		base = DefaultBaseURL
	}
	model := os.Getenv("PERSONAJUDGE_MODEL")
	if model == "" {
		model = "llama3.1"
	}
	return FileConfig{Default: model, Models: []ModelConfig{{
		Name: model, BaseURL: base, APIKeyEnv: "OPENAI_API_KEY", Model: model,
	}}}
}

// normalize fills defaults and checks the configuration.
func (c *ModelConfig) normalize() error {
	if c.Name == "" {
		return errors.New("model config: name is required")
	}
	if c.BaseURL == "" {
		return fmt.Errorf("model %q: base_url is required", c.Name)
	}
	if c.Model == "" {
		c.Model = c.Name
	}
	if c.MaxConcurrency <= 0 {
		c.MaxConcurrency = 8
	}
	if c.RequestsPerMinute < 0 {
		return fmt.Errorf("model %q: requests_per_minute must not be negative", c.Name)
	}
	if c.MaxTokens <= 0 {
		c.MaxTokens = 512
	}
	if c.Timeout == "" {
		c.Timeout = "60s"
	}
	if d, err := time.ParseDuration(c.Timeout); err != nil {
		return fmt.Errorf("model %q: timeout: %w", c.Name, err)
	} else if d <= 0 {
		return fmt.Errorf("model %q: timeout must be positive, got %s", c.Name, c.Timeout)
	}
	if c.MaxRetries == nil {
		three := 3
		c.MaxRetries = &three
	}
	switch c.Output {
	case "", string(OutputSchema), string(OutputJSONObject), string(OutputText):
	default:
		return fmt.Errorf("model %q: output must be json_schema, json_object or text, not %q", c.Name, c.Output)
	}
	if c.APIKeyEnv != "" {
		c.apiKey = os.Getenv(c.APIKeyEnv)
	}
	if c.apiKey == "" {
		// Local servers (Ollama, vLLM, llama.cpp) ignore the key, but the
		// client must send one.
		c.apiKey = "unused"
	}
	return nil
}

func (c *ModelConfig) timeout() time.Duration {
	d, _ := time.ParseDuration(c.Timeout)
	return d
}
