package main

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestStartPprof(t *testing.T) {
	t.Parallel()
	addr, stop, err := startPprof("127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	res, err := http.Get("http://" + addr + "/debug/pprof/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || len(body) == 0 {
		t.Errorf("GET /debug/pprof/cmdline = %d %q", res.StatusCode, body)
	}
}

func TestServePprofRefusesOpenAddress(t *testing.T) {
	t.Parallel()
	err := runServe([]string{"--pprof", "0.0.0.0:0", "--addr", "127.0.0.1:0", "--db", t.TempDir() + "/pj.db"})
	if err == nil || !strings.Contains(err.Error(), "refusing to serve profiles") {
		t.Errorf("runServe --pprof 0.0.0.0:0 = %v, want a refusal", err)
	}
}
