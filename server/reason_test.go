package server

import (
	"strings"
	"testing"

	"github.com/personajudge/personajudge/clients"
	"github.com/personajudge/personajudge/internal/llmfake"
)

// A JUDGE_ERROR after 429s or 5xx says how many attempts were made, so a
// caller can tell a backend that refused once from one that refused every
// retry; the backend's address is the operator's business, not the caller's.
func TestJudgeErrorReasonCountsAttempts(t *testing.T) {
	t.Parallel()
	fast := map[string]string{"Retry-After-Ms": "1"}
	tests := []struct {
		name    string
		reply   llmfake.Reply
		retries int
		want    string
	}{
		{"429 every time", llmfake.Reply{Status: 429, Header: fast}, 2, "rate limited (HTTP 429) after 3 attempts"},
		{"500 every time", llmfake.Reply{Status: 500, Header: fast}, 2, "server error (HTTP 500) after 3 attempts"},
		{"503 without retries", llmfake.Reply{Status: 503, Header: fast}, 0, "server error (HTTP 503) after 1 attempt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(*llmfake.Request, int64) llmfake.Reply { return tt.reply },
				func(c *clients.ModelConfig) { c.MaxRetries = &tt.retries })
			resp, err := h.connect.Score(t.Context(), prefItem(0))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != judgeErr {
				t.Fatalf("status %v, want JUDGE_ERROR", resp.Status)
			}
			if !strings.Contains(resp.Reason, tt.want) || strings.Contains(resp.Reason, "1 attempts") {
				t.Fatalf("reason %q does not contain %q", resp.Reason, tt.want)
			}
			for _, v := range resp.Votes {
				if !strings.Contains(v.Error, tt.want) {
					t.Fatalf("vote error %q does not contain %q", v.Error, tt.want)
				}
			}
			if strings.Contains(resp.Reason, h.fake.URL) || strings.Contains(resp.Reason, "127.0.0.1") {
				t.Fatalf("reason %q names the backend's address", resp.Reason)
			}
		})
	}
}
