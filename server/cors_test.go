package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/personajudge/personajudge/internal/fakejudge"
)

func TestCORSPreflightAndCrossOriginCall(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentPreference("GOOD", 80))
	const origin = "https://app.example"
	handler, err := WithCORS([]string{origin}, NewHandler(h.svc))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	url := srv.URL + "/personajudge.v1.JudgeService/Score"

	preflight := func(from string) *http.Response {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodOptions, url, nil)
		req.Header.Set("Origin", from)
		req.Header.Set("Access-Control-Request-Method", "POST")
		// As browsers send it: lower-case, sorted.
		req.Header.Set("Access-Control-Request-Headers", "authorization,connect-protocol-version,content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := preflight(origin)
	if resp.StatusCode/100 != 2 || resp.Header.Get("Access-Control-Allow-Origin") != origin {
		t.Fatalf("preflight: %d, allow-origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	allowed := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers"))
	for _, h := range []string{"authorization", "content-type", "connect-protocol-version"} {
		if !strings.Contains(allowed, h) {
			t.Errorf("preflight allows headers %q, not %s", allowed, h)
		}
	}
	if other := preflight("https://evil.example"); other.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("another origin was allowed: %q", other.Header.Get("Access-Control-Allow-Origin"))
	}

	body := `{"itemId":"x","preference":{"persona":"p","query":"q","responseA":"GOOD one","responseB":"other"}}`
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Origin", origin)
	req.Header.Set("Content-Type", "application/json")
	call, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	call.Body.Close()
	if call.StatusCode != http.StatusOK || call.Header.Get("Access-Control-Allow-Origin") != origin {
		t.Fatalf("cross-origin call: %d, allow-origin %q", call.StatusCode, call.Header.Get("Access-Control-Allow-Origin"))
	}
	if exposed := call.Header.Get("Access-Control-Expose-Headers"); !strings.Contains(exposed, RequestIDHeader) {
		t.Fatalf("request id not exposed to the page: %q", exposed)
	}
}

func TestCORSOrigins(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		origin string
		ok     bool
	}{
		{"https://app.example", true},
		{"http://localhost:5173", true},
		{"*", true},
		{"app.example", false},
		{"https://app.example/", false},
		{"https://app.example/path", false},
		{"ftp://app.example", false},
		{"https://user@app.example", false},
	} {
		_, err := WithCORS([]string{tc.origin}, http.NotFoundHandler())
		if (err == nil) != tc.ok {
			t.Errorf("WithCORS(%q): err = %v, want ok %v", tc.origin, err, tc.ok)
		}
	}
}
