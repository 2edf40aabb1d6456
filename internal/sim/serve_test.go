package sim

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
)

// Serve answers on its listener and returns nil once its context is done.
func TestHandlerServe(t *testing.T) {
	t.Parallel()
	h, err := NewHandler(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- h.Serve(ctx, ln) }()

	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://"+ln.Addr().String()+"/v1/chat/completions",
		strings.NewReader(`{"messages":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("an empty prompt: status %d, want 400", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after cancel: %v", err)
	}
	if st := h.Stats(); st.Calls != 1 || st.Rejected != 1 {
		t.Fatalf("stats %+v", st)
	}
	// A closed listener is an error, not a clean stop.
	if err := h.Serve(t.Context(), ln); err == nil {
		t.Fatal("Serve on a closed listener returned nil")
	}
}
