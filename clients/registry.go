package clients

import (
	"bytes"
	"fmt"
	"net/http"
	"sort"
)

// Registry holds the configured judge models by name.
type Registry struct {
	models      map[string]*Model
	defaultName string
}

// RegistryOption configures a Registry (the functional-options idiom used
// by every constructor of the project).
type RegistryOption func(*registryConfig)

type registryConfig struct {
	httpClient *http.Client
}

// WithHTTPClient makes every model call through c instead of a pooled
// client sized to the models' concurrency.
func WithHTTPClient(c *http.Client) RegistryOption {
	return func(rc *registryConfig) { rc.httpClient = c }
}

// NewRegistry builds clients for every configured model.
func NewRegistry(fc FileConfig, opts ...RegistryOption) (*Registry, error) {
	if len(fc.Models) == 0 {
		return nil, fmt.Errorf("no judge models configured")
	}
	var rc registryConfig
	for _, o := range opts {
		o(&rc)
	}
	r := &Registry{models: map[string]*Model{}, defaultName: fc.Default}
	httpClient := rc.httpClient
	if httpClient == nil {
		httpClient = pooledClient(fc.Models)
	}
	for _, c := range fc.Models {
		m, err := newModel(c, httpClient)
		if err != nil {
			return nil, err
		}
		if _, dup := r.models[m.Name()]; dup {
			return nil, fmt.Errorf("model %q configured twice", m.Name())
		}
		r.models[m.Name()] = m
	}
	if r.defaultName == "" {
		r.defaultName = fc.Models[0].Name
	}
	if _, ok := r.models[r.defaultName]; !ok {
		return nil, fmt.Errorf("default model %q is not configured", r.defaultName)
	}
	return r, nil
}

// Get returns the named model.
func (r *Registry) Get(name string) (*Model, bool) {
	m, ok := r.models[name]
	return m, ok
}

// Default is the model used when a request names none.
func (r *Registry) Default() string { return r.defaultName }

// TotalConcurrency is the sum of the models' concurrency limits: how many
// LLM calls the service can have in flight at once.
func (r *Registry) TotalConcurrency() int {
	n := 0
	for _, m := range r.models {
		n += m.cfg.MaxConcurrency
	}
	return n
}

// Names lists the configured model names, sorted.
func (r *Registry) Names() []string {
	out := make([]string, 0, len(r.models))
	for n := range r.models {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// pooledClient keeps enough idle connections per backend for every call a
// model may have in flight; Go's default keeps 2 per host, so 64 concurrent
// calls would reconnect constantly.
func pooledClient(models []ModelConfig) *http.Client {
	conns := 0
	for _, m := range models {
		conns += max(m.MaxConcurrency, 8)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = max(t.MaxIdleConns, conns)
	t.MaxIdleConnsPerHost = conns
	return &http.Client{Transport: t}
}
