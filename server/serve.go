package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// ServeOption configures Serve (the functional-options idiom used by every
// constructor of the project).
type ServeOption func(*serveConfig)

type serveConfig struct {
	shutdownGrace     time.Duration
	log               *slog.Logger
	certFile, keyFile string
	drain             func(deadline time.Time)
}

// DefaultShutdownGrace bounds how long in-flight judgments may run after a
// shutdown signal unless WithShutdownGrace says otherwise.
const DefaultShutdownGrace = 60 * time.Second

// WithShutdownGrace bounds how long in-flight judgments may run after a
// shutdown signal (0 keeps the default).
func WithShutdownGrace(d time.Duration) ServeOption {
	return func(c *serveConfig) {
		if d > 0 {
			c.shutdownGrace = d
		}
	}
}

// WithServeLogger logs the shutdown (default slog.Default()).
func WithServeLogger(l *slog.Logger) ServeOption {
	return func(c *serveConfig) {
		if l != nil {
			c.log = l
		}
	}
}

// WithTLS serves TLS (HTTP/2 by ALPN) with the PEM certificate and key
// files; both empty keeps cleartext.
func WithTLS(certFile, keyFile string) ServeOption {
	return func(c *serveConfig) { c.certFile, c.keyFile = certFile, keyFile }
}

// WithDrain is called as shutdown begins, before the server stops
// accepting, with the time by which open streams must have ended: the
// grace less a margin to send their last results. Service.Drain fits;
// without it a stream is cut when the grace runs out.
func WithDrain(drain func(deadline time.Time)) ServeOption {
	return func(c *serveConfig) { c.drain = drain }
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
// tells open streams to drain (WithDrain), stops accepting, lets in-flight
// judgments finish (within the grace), and returns.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, opts ...ServeOption) error {
	cfg := serveConfig{shutdownGrace: DefaultShutdownGrace, log: slog.Default()}
	for _, o := range opts {
		o(&cfg)
	}
	log := cfg.log
	errc := make(chan error, 1)
	go func() {
		if cfg.certFile != "" {
			errc <- srv.ServeTLS(ln, cfg.certFile, cfg.keyFile)
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
	if cfg.drain != nil {
		cfg.drain(start.Add(cfg.shutdownGrace - drainMargin(cfg.shutdownGrace)))
	}
	log.Info("shutting down; finishing in-flight judgments", "grace", cfg.shutdownGrace)
	sctx, cancel := context.WithDeadline(context.Background(), start.Add(cfg.shutdownGrace))
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return err
}
