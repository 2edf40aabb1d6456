// Package healthcheck asks a running service whether it is serving, through
// the standard gRPC health protocol (grpc.health.v1.Health/Check) that
// `serve` answers on its port. The container image's HEALTHCHECK uses it,
// having no shell or curl.
package healthcheck

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"connectrpc.com/connect"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// Check returns nil when the service at addr (a base URL) reports SERVING
// for service ("" asks about the server as a whole).
func Check(ctx context.Context, hc *http.Client, addr, service string) error {
	client := connect.NewClient[healthpb.HealthCheckRequest, healthpb.HealthCheckResponse](
		hc, strings.TrimRight(addr, "/")+"/grpc.health.v1.Health/Check", connect.WithGRPC())
	res, err := client.CallUnary(ctx, connect.NewRequest(&healthpb.HealthCheckRequest{Service: service}))
	if err != nil {
		return err
	}
	if s := res.Msg.GetStatus(); s != healthpb.HealthCheckResponse_SERVING {
		return fmt.Errorf("status %s", s)
	}
	return nil
}
