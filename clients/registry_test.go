package clients

import (
	"reflect"
	"strings"
	"testing"
)

func TestNewRegistry(t *testing.T) {
	t.Parallel()
	a := ModelConfig{Name: "a", BaseURL: "http://a/v1"}
	b := ModelConfig{Name: "b", BaseURL: "http://b/v1", Model: "backend-b"}
	tests := []struct {
		name    string
		fc      FileConfig
		def     string
		names   []string
		wantErr string
	}{
		{name: "default is the first model", fc: FileConfig{Models: []ModelConfig{b, a}}, def: "b", names: []string{"a", "b"}},
		{name: "named default", fc: FileConfig{Default: "a", Models: []ModelConfig{b, a}}, def: "a", names: []string{"a", "b"}},
		{name: "no models", fc: FileConfig{}, wantErr: "no judge models configured"},
		{name: "duplicate name", fc: FileConfig{Models: []ModelConfig{a, b, {Name: "a", BaseURL: "http://other/v1"}}}, wantErr: `model "a" configured twice`},
		{name: "unknown default", fc: FileConfig{Default: "c", Models: []ModelConfig{a, b}}, wantErr: `default model "c" is not configured`},
		{name: "invalid model config", fc: FileConfig{Models: []ModelConfig{a, {Name: "bad"}}}, wantErr: `model "bad": base_url is required`},
		{name: "invalid output mode", fc: FileConfig{Models: []ModelConfig{{Name: "x", BaseURL: "http://x/v1", Output: "xml"}}}, wantErr: "output must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := NewRegistry(tt.fc)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NewRegistry = %v, want an error containing %q", err, tt.wantErr)
				}
				if r != nil {
					t.Errorf("NewRegistry returned a registry with an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Default() != tt.def {
				t.Errorf("Default() = %q, want %q", r.Default(), tt.def)
			}
			if !reflect.DeepEqual(r.Names(), tt.names) {
				t.Errorf("Names() = %v, want %v", r.Names(), tt.names)
			}
		})
	}
}

func TestRegistryGet(t *testing.T) {
	t.Parallel()
	r, err := NewRegistry(FileConfig{Models: []ModelConfig{
		{Name: "a", BaseURL: "http://a/v1"},
		{Name: "b", BaseURL: "http://b/v1", Model: "backend-b", Output: "text"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		ok      bool
		modelID string
		mode    OutputMode
	}{
		{"a", true, "a", OutputSchema},
		{"b", true, "backend-b", OutputText},
		{"c", false, "", ""},
		{"", false, "", ""},
	}
	for _, tt := range tests {
		m, ok := r.Get(tt.name)
		if ok != tt.ok {
			t.Fatalf("Get(%q) ok = %v, want %v", tt.name, ok, tt.ok)
		}
		if !ok {
			if m != nil {
				t.Errorf("Get(%q) = %v for a missing model", tt.name, m)
			}
			continue
		}
		if m.Name() != tt.name || m.ModelID() != tt.modelID || m.Mode() != tt.mode {
			t.Errorf("Get(%q) = name %q id %q mode %q; want %q %q %q", tt.name, m.Name(), m.ModelID(), m.Mode(), tt.name, tt.modelID, tt.mode)
		}
	}
}
