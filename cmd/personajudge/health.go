package main

import (
	"context"
	"flag"
	"time"

	"github.com/personajudge/personajudge/internal/healthcheck"
)

// runHealth is `personajudge health`: exit 0 when the service answers
// SERVING to the gRPC health check (the container image's HEALTHCHECK).
func runHealth(args []string) error {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	addr := fs.String("addr", "http://127.0.0.1:8080", "base URL of the service")
	timeout := fs.Duration("timeout", 3*time.Second, "deadline for the answer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	hc := h2cClient(*addr)
	defer hc.CloseIdleConnections()
	return healthcheck.Check(ctx, hc, *addr, "")
}
