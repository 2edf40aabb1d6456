package main

import (
	"bytes"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/personajudge/personajudge/clients"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

func TestLogBackends(t *testing.T) {
	t.Parallel()
	fake := llmfake.New(fakejudge.FirstLabel(90))
	t.Cleanup(fake.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://user:s3cret@" + ln.Addr().String() + "/v1?key=s3cret"
	ln.Close()
	reg, err := clients.NewRegistry(clients.FileConfig{Models: []clients.ModelConfig{
		{Name: "up", BaseURL: fake.BaseURL()},
		{Name: "down", BaseURL: dead},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	logBackends(t.Context(), slog.New(slog.NewTextHandler(&buf, nil)), reg)
	logs := buf.String()
	for _, want := range []string{
		"msg=\"judge model\" name=up",
		"msg=\"judge backend answers\" name=up base_url=" + fake.BaseURL(),
		"msg=\"judge backend does not answer; judgments with this model will be JUDGE_ERROR until it does\" name=down",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "s3cret") {
		t.Errorf("logs carry the URL's credentials:\n%s", logs)
	}
}
