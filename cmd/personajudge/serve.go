package main

import (
	"context"
	"errors"

	"connectrpc.com/connect"
	"connectrpc.com/otelconnect"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/personajudge/personajudge/clients"
	"github.com/personajudge/personajudge/server"
	"github.com/personajudge/personajudge/store"
)

func runServe(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (host:port)")
	dbPath := fs.String("db", "personajudge.db", "SQLite database file (created if missing), or a postgres:// DSN shared by several replicas")
	modelsFile := fs.String("models", "", "JSON models file; default: one model from OPENAI_BASE_URL, OPENAI_API_KEY, PERSONAJUDGE_MODEL")
	reasks := fs.Int("max-reasks", 2, "how often unreadable judge output is asked for again")
	grace := fs.Duration("shutdown-grace", 60*time.Second, "how long in-flight judgments may finish after SIGINT/SIGTERM")
	logJSON := fs.Bool("log-json", false, "log as JSON lines instead of text")
	keysFile := fs.String("api-keys", "", "JSON file of hashed API keys (see 'personajudge keys'); also PERSONAJUDGE_API_KEYS_FILE")
	allowOpen := fs.Bool("allow-unauthenticated", false, "serve a non-loopback address without API keys")
	tlsCert := fs.String("tls-cert", "", "TLS certificate file (PEM); with --tls-key serves HTTPS")
	tlsKey := fs.String("tls-key", "", "TLS private key file (PEM)")
	maxQueued := fs.Int("max-queued", 0, "bound on items being judged or queued, across callers; beyond it requests get ResourceExhausted (0: 4 x the models' total max_concurrency)")
	keyConc := fs.Int("key-max-concurrent", server.DefaultLimits().MaxConcurrent, "default RPCs in flight per API key")
	keyRPS := fs.Float64("key-rps", server.DefaultLimits().RequestsPerSecond, "default RPCs per second per API key")
	pprofAddr := fs.String("pprof", "", "serve Go profiles (/debug/pprof/) on this separate address, e.g. 127.0.0.1:6060; off when empty")
	var corsOrigins listFlag
	fs.Var(&corsOrigins, "cors-origin", "let web pages on this origin (scheme://host[:port], or *) call the service from a browser; repeatable")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	if *keysFile == "" {
		*keysFile = os.Getenv("PERSONAJUDGE_API_KEYS_FILE")
	}
	var keys []server.KeyConfig
	if *keysFile != "" {
		var err error
		if keys, err = server.LoadKeys(*keysFile); err != nil {
			return err
		}
	}
	if len(keys) == 0 && !*allowOpen && !isLoopback(*addr) {
		return fmt.Errorf("refusing to serve %s without API keys: anyone who can reach it could judge at your expense; "+
			"give --api-keys FILE, bind 127.0.0.1, or pass --allow-unauthenticated", *addr)
	}
	gate, err := server.NewGate(keys, server.Limits{MaxConcurrent: *keyConc, RequestsPerSecond: *keyRPS})
	if err != nil {
		return err
	}
	var h slog.Handler = slog.NewTextHandler(os.Stderr, nil)
	if *logJSON {
		h = slog.NewJSONHandler(os.Stderr, nil)
	}
	log := slog.New(h)
	if *pprofAddr != "" {
		if !isLoopback(*pprofAddr) && !*allowOpen {
			return fmt.Errorf("refusing to serve profiles on %s: bind a loopback address or pass --allow-unauthenticated", *pprofAddr)
		}
		_, stopPprof, err := startPprof(*pprofAddr, log)
		if err != nil {
			return fmt.Errorf("--pprof: %w", err)
		}
		defer stopPprof()
	}

	fc := clients.FromEnv()
	if *modelsFile != "" {
		var err error
		if fc, err = clients.LoadFile(*modelsFile); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	svc, err := newService(ctx, wiring{models: fc, db: *dbPath, maxReasks: *reasks, maxQueued: *maxQueued, log: log})
	if err != nil {
		return err
	}
	defer svc.close()

	tel, err := setupTelemetry(ctx)
	if err != nil {
		return fmt.Errorf("telemetry: %w", err)
	}
	defer tel.shutdown(context.WithoutCancel(ctx))
	otelInterceptor, err := otelconnect.NewInterceptor()
	if err != nil {
		return fmt.Errorf("telemetry: %w", err)
	}

	// Tracing sees every call, refused ones included; the gate then checks
	// the key, its role and its limits.
	handler, err := routes(svc, tel.metrics, corsOrigins, connect.WithInterceptors(otelInterceptor, gate.Interceptor()))
	if err != nil {
		return fmt.Errorf("--cors-origin: %w", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if gate.Open() {
		log.Warn("no API keys configured: every caller is admitted", "addr", ln.Addr().String())
	}
	// The probe runs beside serving: a slow backend must not delay the start.
	go logBackends(ctx, log, svc.models)
	log.Info("serving", "addr", ln.Addr().String(), "tls", *tlsCert != "", "max_queued", svc.maxQueued, "db", store.Redact(*dbPath), "models", svc.models.Names(), "default_model", svc.models.Default(), "api_keys", len(keys), "console", consoleURL(ln.Addr().String(), *tlsCert != ""), "cors_origins", corsOrigins.String())
	return server.Serve(ctx, server.NewHTTPServer(handler), ln, server.WithShutdownGrace(*grace), server.WithServeLogger(log), server.WithTLS(*tlsCert, *tlsKey), server.WithDrain(svc.service.Drain))
}

// isLoopback reports whether a listen address stays on this machine.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
