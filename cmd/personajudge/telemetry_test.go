package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// With the standard OTEL_* variables set, serve exports a span per RPC and
// per LLM call over OTLP, the LLM span carrying GenAI attributes.
func TestServeExportsSpansOverOTLP(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	var (
		mu    sync.Mutex
		spans = map[string]map[string]string{} // span name -> attribute key -> value
	)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path != "/v1/traces" {
			w.WriteHeader(http.StatusOK)
			return
		}
		var req coltrace.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					attrs := map[string]string{}
					for _, kv := range s.Attributes {
						attrs[kv.Key] = kv.Value.String()
					}
					spans[s.Name] = attrs
				}
			}
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Write(nil)
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
	t.Setenv("OTEL_METRICS_EXPORTER", "none")
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "100")

	fake := llmfake.New(fakejudge.ContentPreference("GOOD", 85))
	defer fake.Close()
	cmd, url, logs := startServe(t, buildBinary(t), fake)
	client := personajudgev1connect.NewJudgeServiceClient(http.DefaultClient, url)
	if _, err := client.Score(t.Context(), scoreRequest()); err != nil {
		t.Fatal(err)
	}
	// Shutdown flushes the batch exporter.
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not exit; logs:\n%s", logs)
	}
	mu.Lock()
	defer mu.Unlock()
	if _, ok := spans["personajudge.v1.JudgeService/Score"]; !ok {
		t.Fatalf("no RPC span exported; got %v\nlogs:\n%s", keys(spans), logs)
	}
	llm, ok := spans["chat judge"]
	if !ok {
		t.Fatalf("no LLM call span exported; got %v", keys(spans))
	}
	for _, k := range []string{"gen_ai.request.model", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.response.finish_reasons", "personajudge.cache_hit"} {
		if _, ok := llm[k]; !ok {
			t.Errorf("LLM span lacks %s: %v", k, llm)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
