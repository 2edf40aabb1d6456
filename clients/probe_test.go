package clients

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"http://localhost:11434/v1", "http://localhost:11434/v1"},
		{"https://user:s3cret@gw.example/v1", "https://gw.example/v1"},
		{"https://gw.example/v1?api-key=s3cret#x", "https://gw.example/v1"},
		{"://bad", "(unparsable URL)"},
	}
	for _, tc := range tests {
		if got := RedactURL(tc.in); got != tc.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestProbe(t *testing.T) {
	t.Parallel()
	answering := func(status int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			if status == http.StatusOK {
				w.Write([]byte(`{"object":"list","data":[{"id":"judge","object":"model"}]}`))
				return
			}
			w.Write([]byte(`{"error":{"message":"nope","type":"x"}}`))
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/v1"
	}
	// An address where nothing listens: a port taken and released.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String() + "/v1"
	ln.Close()

	tests := []struct {
		name    string
		baseURL string
		wantErr string // "" for answering
	}{
		{"lists models", answering(http.StatusOK), ""},
		{"no /models endpoint still answers", answering(http.StatusNotFound), ""},
		{"key refused", answering(http.StatusUnauthorized), "refuses the API key (HTTP 401)"},
		{"nothing listens", dead, "does not answer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := newModel(ModelConfig{Name: "judge", BaseURL: tc.baseURL, APIKeyEnv: "PJ_PROBE_TEST_KEY"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = m.Probe(t.Context())
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Probe: %v, want it to answer", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Probe: %v, want %q", err, tc.wantErr)
			}
		})
	}
}
