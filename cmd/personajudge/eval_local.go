package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/personajudge/personajudge/clients"
	"github.com/personajudge/personajudge/internal/sim"
	"github.com/personajudge/personajudge/server"
)

// localOptions configures `eval --local`: the service in this process, on
// a loopback port, judging with a models file or an in-process simulator.
type localOptions struct {
	db             string // "" means a temporary file, removed afterwards
	modelsFile     string // "" means the simulator
	sim            sim.Config
	maxConcurrency int
	maxRetries     int
	maxReasks      int
	log            io.Writer
}

// localService is a running in-process service.
type localService struct {
	url   string
	sim   *sim.Handler // nil with a models file
	close func()
}

func startLocal(opts localOptions) (_ *localService, err error) {
	var cleanups []func()
	ls := &localService{}
	ls.close = func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	defer func() {
		if err != nil {
			ls.close()
		}
	}()

	fc, err := localModels(opts, ls, &cleanups)
	if err != nil {
		return nil, err
	}
	// One idle connection per concurrent call, so a busy model reuses its
	// connections instead of opening one per call.
	httpClient := &http.Client{Transport: &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		MaxIdleConnsPerHost: 2 * max(opts.maxConcurrency, 64),
		IdleConnTimeout:     90 * time.Second,
	}}
	// Connections dialed but never used would hold the simulator's
	// shutdown for seconds; close them once the service has stopped.
	cleanups = append(cleanups, httpClient.CloseIdleConnections)

	dbPath := opts.db
	if dbPath == "" {
		dir, err := os.MkdirTemp("", "personajudge-eval-")
		if err != nil {
			return nil, err
		}
		cleanups = append(cleanups, func() { os.RemoveAll(dir) })
		dbPath = filepath.Join(dir, "pj.db")
	}
	log := slog.New(slog.NewTextHandler(opts.log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// The service's default queue bound, far above --in-flight, rather than
	// serve's capacity-derived one: the only caller is this eval's stream,
	// which --in-flight already bounds.
	svc, err := newService(context.Background(), wiring{models: fc, llmClient: httpClient, db: dbPath,
		maxReasks: opts.maxReasks, maxQueued: server.DefaultMaxQueued, log: log})
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { svc.close() })
	url, stop, err := serveLoopback(server.NewHTTPServer(svc.handler()))
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, stop)
	ls.url = url
	return ls, nil
}

// localModels is the models file, or one model "sim" on an in-process
// simulator started here.
func localModels(opts localOptions, ls *localService, cleanups *[]func()) (clients.FileConfig, error) {
	if opts.modelsFile != "" {
		return clients.LoadFile(opts.modelsFile)
	}
	h, err := sim.NewHandler(opts.sim)
	if err != nil {
		return clients.FileConfig{}, err
	}
	url, stop, err := serveLoopback(&http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second})
	if err != nil {
		return clients.FileConfig{}, err
	}
	*cleanups = append(*cleanups, stop)
	ls.sim = h
	retries := opts.maxRetries
	return clients.FileConfig{Models: []clients.ModelConfig{{
		Name: "sim", BaseURL: url + "/v1", MaxConcurrency: opts.maxConcurrency, MaxRetries: &retries, Timeout: "60s",
	}}}, nil
}

// serveLoopback serves srv on a free loopback port.
func serveLoopback(srv *http.Server) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "loopback server:", err)
		}
	}()
	url = "http://" + ln.Addr().String()
	return url, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	}, nil
}
