package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMountServesTheConsoleAndLeavesOtherPathsAlone(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "rpc") }))
	Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		method, path string
		status       int
		contains     string
		contentType  string
	}{
		{"GET", "/", 200, `<script type="module" src="/console/js/app.js">`, "text/html"},
		{"GET", "/console/js/app.js", 200, "route()", "javascript"},
		{"GET", "/console/style.css", 200, "body", "text/css"},
		{"GET", "/console/nope.js", 404, "", ""},
		{"POST", "/personajudge.v1.JudgeService/Score", 200, "rpc", ""},
		{"POST", "/", 200, "rpc", ""},
	} {
		req, _ := http.NewRequestWithContext(t.Context(), tc.method, srv.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.contains) || !strings.Contains(resp.Header.Get("Content-Type"), tc.contentType) {
			t.Errorf("%s %s: %d %q (%s)", tc.method, tc.path, resp.StatusCode, clip(string(body)), resp.Header.Get("Content-Type"))
		}
		if tc.path == "/" && tc.method == "GET" && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("the page may be framed: CSP %q", resp.Header.Get("Content-Security-Policy"))
		}
	}
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
