package clients

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func intp(n int) *int { return &n }

func TestNormalizeDefaults(t *testing.T) {
	t.Setenv("PJ_TEST_EMPTY_KEY", "")
	t.Setenv("PJ_TEST_KEY", "sk-test-123")
	tests := []struct {
		name string
		in   ModelConfig
		want ModelConfig // apiKey compared separately
		key  string
	}{
		{
			name: "minimal",
			in:   ModelConfig{Name: "judge", BaseURL: "http://h/v1"},
			want: ModelConfig{Name: "judge", BaseURL: "http://h/v1", Model: "judge", MaxConcurrency: 8, Timeout: "60s", MaxRetries: intp(3), MaxTokens: 512},
			key:  "unused",
		},
		{
			name: "explicit values are kept",
			in: ModelConfig{Name: "judge", BaseURL: "http://h/v1", Model: "llama3.1:8b", MaxConcurrency: 2, Timeout: "5s",
				MaxRetries: intp(0), Output: "json_object", MaxTokens: 64, APIKeyEnv: "PJ_TEST_KEY"},
			want: ModelConfig{Name: "judge", BaseURL: "http://h/v1", Model: "llama3.1:8b", MaxConcurrency: 2, Timeout: "5s",
				MaxRetries: intp(0), Output: "json_object", MaxTokens: 64, APIKeyEnv: "PJ_TEST_KEY"},
			key: "sk-test-123",
		},
		{
			name: "non-positive limits get defaults",
			in:   ModelConfig{Name: "j", BaseURL: "http://h/v1", MaxConcurrency: -1, MaxTokens: -5},
			want: ModelConfig{Name: "j", BaseURL: "http://h/v1", Model: "j", MaxConcurrency: 8, Timeout: "60s", MaxRetries: intp(3), MaxTokens: 512},
			key:  "unused",
		},
		{
			name: "empty key variable falls back to a placeholder",
			in:   ModelConfig{Name: "j", BaseURL: "http://h/v1", APIKeyEnv: "PJ_TEST_EMPTY_KEY"},
			want: ModelConfig{Name: "j", BaseURL: "http://h/v1", Model: "j", MaxConcurrency: 8, Timeout: "60s", MaxRetries: intp(3), MaxTokens: 512, APIKeyEnv: "PJ_TEST_EMPTY_KEY"},
			key:  "unused",
		},
		{
			name: "every output mode is accepted",
			in:   ModelConfig{Name: "j", BaseURL: "http://h/v1", Output: "text"},
			want: ModelConfig{Name: "j", BaseURL: "http://h/v1", Model: "j", MaxConcurrency: 8, Timeout: "60s", MaxRetries: intp(3), MaxTokens: 512, Output: "text"},
			key:  "unused",
		},
		{
			name: "json_schema output",
			in:   ModelConfig{Name: "j", BaseURL: "http://h/v1", Output: "json_schema", Timeout: "1m30s"},
			want: ModelConfig{Name: "j", BaseURL: "http://h/v1", Model: "j", MaxConcurrency: 8, Timeout: "1m30s", MaxRetries: intp(3), MaxTokens: 512, Output: "json_schema"},
			key:  "unused",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.in
			if err := c.normalize(); err != nil {
				t.Fatalf("normalize: %v", err)
			}
			if c.apiKey != tt.key {
				t.Errorf("apiKey = %q, want %q", c.apiKey, tt.key)
			}
			c.apiKey = ""
			if !reflect.DeepEqual(c, tt.want) {
				t.Errorf("normalize() = %+v (retries %d), want %+v (retries %d)", c, *c.MaxRetries, tt.want, *tt.want.MaxRetries)
			}
		})
	}
}

func TestNormalizeTimeout(t *testing.T) {
	t.Parallel()
	c := ModelConfig{Name: "j", BaseURL: "http://h/v1", Timeout: "1m30s"}
	if err := c.normalize(); err != nil {
		t.Fatal(err)
	}
	if c.timeout() != 90*time.Second {
		t.Errorf("timeout() = %v, want 1m30s", c.timeout())
	}
	d := ModelConfig{Name: "j", BaseURL: "http://h/v1"}
	if err := d.normalize(); err != nil {
		t.Fatal(err)
	}
	if d.timeout() != 60*time.Second {
		t.Errorf("default timeout() = %v, want 60s", d.timeout())
	}
}

func TestNormalizeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   ModelConfig
		want string
	}{
		{"missing name", ModelConfig{BaseURL: "http://h/v1"}, "name is required"},
		{"missing base_url", ModelConfig{Name: "j"}, `model "j": base_url is required`},
		{"bad timeout", ModelConfig{Name: "j", BaseURL: "http://h/v1", Timeout: "fast"}, `model "j": timeout`},
		{"timeout without unit", ModelConfig{Name: "j", BaseURL: "http://h/v1", Timeout: "60"}, `model "j": timeout`},
		{"bad output mode", ModelConfig{Name: "j", BaseURL: "http://h/v1", Output: "yaml"}, `output must be json_schema, json_object or text, not "yaml"`},
		{"output mode is case sensitive", ModelConfig{Name: "j", BaseURL: "http://h/v1", Output: "JSON_SCHEMA"}, `output must be`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := tt.in
			err := c.normalize()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("normalize(%+v) = %v, want an error containing %q", tt.in, err, tt.want)
			}
		})
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "models.json")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content string
		want    FileConfig
		wantErr string
	}{
		{
			name: "full",
			content: `{"default":"b","models":[
				{"name":"a","base_url":"http://a/v1"},
				{"name":"b","base_url":"http://b/v1","api_key_env":"B_KEY","model":"gpt-x","max_concurrency":4,
				 "timeout":"10s","max_retries":0,"output":"text","max_tokens":100}]}`,
			want: FileConfig{Default: "b", Models: []ModelConfig{
				{Name: "a", BaseURL: "http://a/v1"},
				{Name: "b", BaseURL: "http://b/v1", APIKeyEnv: "B_KEY", Model: "gpt-x", MaxConcurrency: 4,
					Timeout: "10s", MaxRetries: intp(0), Output: "text", MaxTokens: 100},
			}},
		},
		{
			name:    "unknown top-level field",
			content: `{"models":[{"name":"a","base_url":"http://a/v1"}],"defualt":"a"}`,
			wantErr: `unknown field "defualt"`,
		},
		{
			name:    "unknown model field",
			content: `{"models":[{"name":"a","base_url":"http://a/v1","api_key":"sk-secret"}]}`,
			wantErr: `unknown field "api_key"`,
		},
		{
			name:    "not JSON",
			content: `models: [a]`,
			wantErr: "models file",
		},
		{
			name:    "wrong type",
			content: `{"models":[{"name":"a","max_retries":"three"}]}`,
			wantErr: "models file",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := writeFile(t, tt.content)
			got, err := LoadFile(p)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), p) {
					t.Fatalf("LoadFile = %+v, %v; want an error naming the file and containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("LoadFile = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLoadFileMissing(t *testing.T) {
	t.Parallel()
	_, err := LoadFile(filepath.Join(t.TempDir(), "absent.json"))
	if !os.IsNotExist(err) {
		t.Fatalf("LoadFile(absent) = %v, want a not-exist error", err)
	}
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name        string
		base, model string
		want        FileConfig
	}{
		{
			name: "defaults",
			want: FileConfig{Default: "llama3.1", Models: []ModelConfig{{Name: "llama3.1", BaseURL: DefaultBaseURL, APIKeyEnv: "OPENAI_API_KEY", Model: "llama3.1"}}},
		},
		{
			name: "from the environment",
			base: "http://vllm:8000/v1", model: "qwen2.5",
			want: FileConfig{Default: "qwen2.5", Models: []ModelConfig{{Name: "qwen2.5", BaseURL: "http://vllm:8000/v1", APIKeyEnv: "OPENAI_API_KEY", Model: "qwen2.5"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("OPENAI_BASE_URL", tt.base)
			t.Setenv("PERSONAJUDGE_MODEL", tt.model)
			got := FromEnv()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FromEnv() = %+v, want %+v", got, tt.want)
			}
		})
	}
	// The key is read from OPENAI_API_KEY when the registry is built.
	t.Setenv("OPENAI_BASE_URL", "http://h/v1")
	t.Setenv("PERSONAJUDGE_MODEL", "m")
	t.Setenv("OPENAI_API_KEY", "sk-from-env")
	r, err := NewRegistry(FromEnv())
	if err != nil {
		t.Fatal(err)
	}
	m, _ := r.Get("m")
	if m.cfg.apiKey != "sk-from-env" || r.Default() != "m" {
		t.Errorf("registry from env: key %q default %q", m.cfg.apiKey, r.Default())
	}
}
