package server

import (
	"bytes"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
)

var requestIDPattern = regexp.MustCompile(`request id ([0-9a-f-]{36})`)

// leaksInternals reports what of the server's internals a caller-facing
// text gives away: a backend URL, a file path, SQL or driver words.
func leaksInternals(text string, urls ...string) string {
	for _, u := range urls {
		if strings.Contains(text, u) {
			return "the backend URL " + u
		}
	}
	for _, w := range []string{"http://", "https://", ".db", "/tmp/", "SQL", "sqlite", "database", "OPENAI_BASE_URL", "INSERT", "SELECT"} {
		if strings.Contains(text, w) {
			return "the internal word " + w
		}
	}
	return ""
}

// loggedHarness is a harness whose server log is kept for the test to read.
func loggedHarness(t *testing.T, fake *llmfake.Server, fc clients.FileConfig) (*harness, *bytes.Buffer) {
	t.Helper()
	logs := &bytes.Buffer{}
	return buildHarness(t, fake, fc, harnessExtras{log: &syncWriter{w: logs}}), logs
}

// requestIDOf checks that an error gives a request id, in its message and
// in an ErrorInfo detail, and returns it.
func requestIDOf(t *testing.T, err error) string {
	t.Helper()
	m := requestIDPattern.FindStringSubmatch(err.Error())
	if m == nil {
		t.Fatalf("error %q gives no request id", err)
	}
	var ce *connect.Error
	if !errors.As(err, &ce) {
		t.Fatalf("not a connect error: %v", err)
	}
	found := false
	for _, d := range ce.Details() {
		v, derr := d.Value()
		if info, ok := v.(*errdetails.ErrorInfo); derr == nil && ok && info.Metadata["request_id"] == m[1] && info.Reason != "" {
			found = true
		}
	}
	if !found {
		t.Fatalf("error %q has no ErrorInfo with its request id", err)
	}
	return m[1]
}

// No error that reaches a caller names a backend URL, a file path or a SQL
// error; the server's log holds them under the request id the caller got.
func TestInternalsStayInTheLog(t *testing.T) {
	t.Parallel()
	t.Run("unreachable backend", func(t *testing.T) {
		t.Parallel()
		fake := llmfake.New(fakejudge.FirstLabel(50))
		url := fake.BaseURL()
		fake.Close()
		zero := 0
		h, logs := loggedHarness(t, fake, clients.FileConfig{Models: []clients.ModelConfig{{Name: "judge", BaseURL: url, MaxRetries: &zero}}})
		_, err := h.connect.Score(t.Context(), prefItem(0))
		if connect.CodeOf(err) != connect.CodeUnavailable {
			t.Fatalf("code = %v (%v), want Unavailable", connect.CodeOf(err), err)
		}
		if leak := leaksInternals(err.Error(), url); leak != "" {
			t.Fatalf("error %q gives away %s", err, leak)
		}
		id := requestIDOf(t, err)
		if !logLineHas(logs.String(), id, url) {
			t.Fatalf("no log line holds request id %s and the URL:\n%s", id, logs)
		}
	})
	t.Run("storage failure", func(t *testing.T) {
		t.Parallel()
		fake := llmfake.New(fakejudge.ContentPreference("GOOD", 80))
		t.Cleanup(fake.Close)
		h, logs := loggedHarness(t, fake, clients.FileConfig{Models: []clients.ModelConfig{{Name: "judge", BaseURL: fake.BaseURL()}}})
		// Writes now fail inside SQLite, as a full or broken disk would.
		if _, err := h.store.DB().Exec(`CREATE TRIGGER refuse BEFORE INSERT ON judgments BEGIN SELECT RAISE(ABORT, 'disk I/O error at /var/lib/pj.db'); END`); err != nil {
			t.Fatal(err)
		}
		_, err := h.connect.Score(t.Context(), prefItem(0))
		if connect.CodeOf(err) != connect.CodeUnavailable {
			t.Fatalf("code = %v (%v), want Unavailable", connect.CodeOf(err), err)
		}
		if leak := leaksInternals(err.Error()); leak != "" || strings.Contains(err.Error(), "disk I/O") {
			t.Fatalf("error %q gives away the storage error (%s)", err, leak)
		}
		id := requestIDOf(t, err)
		if !logLineHas(logs.String(), id, "disk I/O error") {
			t.Fatalf("no log line holds request id %s and the storage error:\n%s", id, logs)
		}
		// Reads go through the same door.
		if _, err := h.store.DB().Exec(`DROP TABLE outcomes`); err != nil {
			t.Fatal(err)
		}
		cal := calClient(h)
		_, err = cal.GetCalibrationReport(t.Context(), &pb.GetCalibrationReportRequest{Profile: "preference/judge/pref-v1/cyclic"})
		if err == nil {
			t.Fatal("a report over a broken store succeeded")
		}
		if leak := leaksInternals(err.Error()); leak != "" || strings.Contains(err.Error(), "no such table") {
			t.Fatalf("error %q gives away the storage error (%s)", err, leak)
		}
		requestIDOf(t, err)
	})
	t.Run("LLM errors", func(t *testing.T) {
		t.Parallel()
		fake := llmfake.New(func(*llmfake.Request, int64) llmfake.Reply {
			return llmfake.Reply{Status: 500, ErrorMessage: "upstream at http://10.1.2.3:9000 exploded"}
		})
		t.Cleanup(fake.Close)
		one := 1
		h, _ := loggedHarness(t, fake, clients.FileConfig{Models: []clients.ModelConfig{{Name: "judge", BaseURL: fake.BaseURL(), MaxRetries: &one}}})
		resp, err := h.connect.Score(t.Context(), prefItem(0))
		if err != nil {
			t.Fatalf("an LLM fault must be a JUDGE_ERROR judgment, got %v", err)
		}
		if resp.Status != pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR {
			t.Fatalf("status %v, want JUDGE_ERROR", resp.Status)
		}
		texts := []string{resp.Reason}
		for _, v := range resp.Votes {
			texts = append(texts, v.Error)
			if !strings.Contains(v.Error, "server error (HTTP 500) after 2 attempts") {
				t.Errorf("vote error %q does not say the kind of fault and the attempts", v.Error)
			}
		}
		for _, text := range texts {
			if leak := leaksInternals(text, fake.BaseURL(), "10.1.2.3"); leak != "" {
				t.Errorf("%q gives away %s", text, leak)
			}
		}
	})
}

// logLineHas reports whether one log line holds every one of the words.
func logLineHas(logs string, words ...string) bool {
	for line := range strings.SplitSeq(logs, "\n") {
		all := true
		for _, w := range words {
			all = all && strings.Contains(line, w)
		}
		if all {
			return true
		}
	}
	return false
}

// Every RPC answer names its request id in X-Request-Id, errors included.
func TestRequestIDHeader(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentPreference("GOOD", 80))
	for _, body := range []string{`{"judgmentId":"no-such-judgment"}`, `{"judgmentId":""}`} {
		resp, err := http.Post(h.srv.URL+"/personajudge.v1.JudgeService/GetJudgment", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if id := resp.Header.Get(RequestIDHeader); len(id) != 36 {
			t.Fatalf("answer %d to %s carries request id %q", resp.StatusCode, body, id)
		}
	}
}
