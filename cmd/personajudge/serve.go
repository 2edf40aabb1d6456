package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/personajudge/personajudge/clients"
	"github.com/personajudge/personajudge/judges"
	"github.com/personajudge/personajudge/server"
	"github.com/personajudge/personajudge/store"
)

func runServe(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (host:port)")
	dbPath := fs.String("db", "personajudge.db", "SQLite database file (created if missing)")
	modelsFile := fs.String("models", "", "JSON models file; default: one model from OPENAI_BASE_URL, OPENAI_API_KEY, PERSONAJUDGE_MODEL")
	reasks := fs.Int("max-reasks", 2, "how often unreadable judge output is asked for again")
	grace := fs.Duration("shutdown-grace", 60*time.Second, "how long in-flight judgments may finish after SIGINT/SIGTERM")
	logJSON := fs.Bool("log-json", false, "log as JSON lines instead of text")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var h slog.Handler = slog.NewTextHandler(os.Stderr, nil)
	if *logJSON {
		h = slog.NewJSONHandler(os.Stderr, nil)
	}
	log := slog.New(h)

	fc := clients.FromEnv()
	if *modelsFile != "" {
		var err error
		if fc, err = clients.LoadFile(*modelsFile); err != nil {
			return err
		}
	}
	reg, err := clients.NewRegistry(fc, nil)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer st.Close()

	svc := server.NewService(&judges.Engine{Models: reg, MaxReasks: *reasks}, st, log)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	log.Info("serving", "addr", ln.Addr().String(), "db", *dbPath, "models", reg.Names(), "default_model", reg.Default())
	return server.Serve(ctx, server.NewHTTPServer(server.NewHandler(svc)), ln, server.ServeOptions{ShutdownGrace: *grace, Log: log})
}
