package main

import (
	"context"
	"log/slog"
	"net/http"

	"connectrpc.com/connect"
	"github.com/personajudge/personajudge/clients"
	"github.com/personajudge/personajudge/judges"
	"github.com/personajudge/personajudge/server"
	"github.com/personajudge/personajudge/store"
)

// wiring is what a command chooses about the judge service it runs: serve
// from its flags, eval --local for a service inside the eval process.
type wiring struct {
	models    clients.FileConfig
	llmClient *http.Client // reaches the models' endpoints; nil: the registry's default
	db        string       // SQLite file or postgres:// DSN: ledger, outcomes, calibrators, LLM cache
	maxReasks int          // re-asks after unreadable judge output
	// maxQueued bounds the items being judged or queued across callers;
	// 0 derives it from the models' capacity.
	maxQueued int
	log       *slog.Logger
}

// wired is a judge service ready to be served.
type wired struct {
	service   *server.Service
	models    *clients.Registry
	maxQueued int          // the bound in force, for the logs
	close     func() error // closes the store once serving has stopped
}

// newService builds the judge service: the models registry, the store, the
// engine and the service. It is the one place they are put together, so
// that eval --local judges exactly as serve does.
func newService(ctx context.Context, w wiring) (*wired, error) {
	var regOpts []clients.RegistryOption
	if w.llmClient != nil {
		regOpts = append(regOpts, clients.WithHTTPClient(w.llmClient))
	}
	reg, err := clients.NewRegistry(w.models, regOpts...)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, w.db)
	if err != nil {
		return nil, err
	}
	// By default the queue holds about two rounds of pairwise judgments for
	// the LLM capacity configured: enough to keep the backends busy, while
	// more would only add waiting (and memory) before the same refusal.
	maxQueued := w.maxQueued
	if maxQueued <= 0 {
		maxQueued = max(64, 4*reg.TotalConcurrency())
	}
	engine := judges.NewEngine(reg, judges.WithMaxReasks(w.maxReasks), judges.WithCache(st),
		judges.WithCalibrators(st), judges.WithLogger(w.log))
	svc := server.NewService(engine, st, server.WithLogger(w.log), server.WithMaxQueued(maxQueued))
	return &wired{service: svc, models: reg, maxQueued: maxQueued, close: st.Close}, nil
}

// handler serves the service's RPCs, each wrapped by opts (serve's tracing
// and API keys). It is made apart from the service because serve installs
// telemetry, which its interceptors need, only once the store is open.
func (w *wired) handler(opts ...connect.HandlerOption) http.Handler {
	return server.NewHandler(w.service, opts...)
}
