package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// ServeOptions configures the HTTP server.
type ServeOptions struct {
	// ShutdownGrace bounds how long in-flight judgments may run after a
	// shutdown signal; default 60s.
	ShutdownGrace time.Duration
	Log           *slog.Logger
	// CertFile and KeyFile, when both set, serve TLS (HTTP/2 by ALPN).
	CertFile, KeyFile string
	// Drain, when set, is called as shutdown begins, before the server
	// stops accepting, with the time by which open streams must have ended:
	// the grace less a margin to send their last results. Service.Drain
	// fits; without it a stream is cut when the grace runs out.
	Drain func(deadline time.Time)
}

// drainMargin is the part of the grace kept after streams must have ended:
// time to send their final results and status, and the second the HTTP/2
// server waits after its GOAWAY before it closes a connection whose
// streams are done. Shutdown returns when the connections are closed.
func drainMargin(grace time.Duration) time.Duration {
	return min(grace/2, 2*time.Second)
}

// NewHTTPServer returns an http.Server speaking HTTP/1.1 and cleartext
// HTTP/2 (h2c) on one port, with explicit timeouts.
//
// ReadTimeout and WriteTimeout stay zero on purpose: a judgment waits on an
// LLM for as long as the caller's deadline allows, and streaming RPCs last
// for a whole evaluation run. Slow clients are bounded by ReadHeaderTimeout
// and idle connections by IdleTimeout; per-call work by the judge timeouts.
func NewHTTPServer(h http.Handler) *http.Server {
	p := new(http.Protocols)
	p.SetHTTP1(true)
	p.SetHTTP2(true)
	p.SetUnencryptedHTTP2(true)
	return &http.Server{
		Handler:           h,
		Protocols:         p,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// Serve runs srv on ln until ctx is done, then shuts down gracefully: it
// tells open streams to drain (opts.Drain), stops accepting, lets in-flight
// judgments finish (within the grace), and returns.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, opts ServeOptions) error {
	if opts.ShutdownGrace == 0 {
		opts.ShutdownGrace = 60 * time.Second
	}
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	errc := make(chan error, 1)
	go func() {
		if opts.CertFile != "" {
			errc <- srv.ServeTLS(ln, opts.CertFile, opts.KeyFile)
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	start := time.Now()
	if opts.Drain != nil {
		opts.Drain(start.Add(opts.ShutdownGrace - drainMargin(opts.ShutdownGrace)))
	}
	log.Info("shutting down; finishing in-flight judgments", "grace", opts.ShutdownGrace)
	sctx, cancel := context.WithDeadline(context.Background(), start.Add(opts.ShutdownGrace))
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return err
}
