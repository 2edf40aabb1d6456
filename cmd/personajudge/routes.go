package main

import (
	"net/http"
	"strings"

	"connectrpc.com/connect"
	"github.com/personajudge/personajudge/server"
	"github.com/personajudge/personajudge/web"
)

// routes is serve's HTTP surface on one port: the RPCs (each wrapped by
// opts: tracing and API keys), /metrics, and the web console at "/" and
// under /console/. With CORS origins, browsers on those origins may call
// all of it.
func routes(w *wired, metrics http.Handler, corsOrigins []string, opts ...connect.HandlerOption) (http.Handler, error) {
	mux := http.NewServeMux()
	mux.Handle("/metrics", metrics)
	mux.Handle("/", w.handler(opts...))
	web.Mount(mux)
	return server.WithCORS(corsOrigins, mux)
}

// listFlag is a repeatable string flag (--cors-origin A --cors-origin B).
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// consoleURL is where the console of a server on addr opens, for the log.
func consoleURL(addr string, tls bool) string {
	if tls {
		return "https://" + addr + "/"
	}
	return "http://" + addr + "/"
}
