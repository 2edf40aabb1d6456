package server

import (
	"context"
	"fmt"
	"net/http"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
)

// CompressMinBytes is the smallest response message that is compressed
// (when the caller accepts gzip). A typical ScoreResponse is well below it;
// a PersonaScore roll-up or a calibration report of many items is above.
const CompressMinBytes = 8 << 10

// NewHandler mounts the JudgeService, the CalibrationService, the
// ConsoleService, the MetricsService, the BenchmarkService, the
// CascadeService, gRPC health and reflection on one mux.
// Every protocol (gRPC, gRPC-Web, Connect) is served by the same handlers,
// and JSON is decoded strictly (codec.go).
func NewHandler(svc *Service, opts ...connect.HandlerOption) http.Handler {
	opts = append(append([]connect.HandlerOption{
		connect.WithReadMaxBytes(MaxRequestBytes),
		// Small messages are sent as they are: gzip costs more CPU than it
		// saves on the loopback and LAN links the service runs on.
		connect.WithCompressMinBytes(CompressMinBytes),
		// Every RPC gets an id; an internal error names it instead of its cause.
		connect.WithInterceptors(requestIDInterceptor{}),
		// A panic in a handler becomes an Internal error for that call,
		// never a crashed server.
		connect.WithRecover(func(ctx context.Context, spec connect.Spec, _ http.Header, p any) error {
			return svc.internalError(ctx, connect.CodeInternal, "INTERNAL", "internal error", fmt.Errorf("panic in %s: %v", spec.Procedure, p))
		}),
	}, strictJSONCodecs()...), opts...)
	mux := http.NewServeMux()
	mux.Handle(personajudgev1connect.NewJudgeServiceHandler(svc, opts...))
	mux.Handle(personajudgev1connect.NewCalibrationServiceHandler(svc.Calibration(), opts...))
	mux.Handle(personajudgev1connect.NewConsoleServiceHandler(svc.Console(), opts...))
	mux.Handle(personajudgev1connect.NewMetricsServiceHandler(svc.Metrics(), opts...))
	mux.Handle(personajudgev1connect.NewBenchmarkServiceHandler(svc.Benchmark(), opts...))
	mux.Handle(personajudgev1connect.NewCascadeServiceHandler(svc.Cascades(), opts...))
	names := []string{personajudgev1connect.JudgeServiceName, personajudgev1connect.CalibrationServiceName, personajudgev1connect.ConsoleServiceName,
		personajudgev1connect.MetricsServiceName, personajudgev1connect.BenchmarkServiceName, personajudgev1connect.CascadeServiceName}
	mux.Handle(grpchealth.NewHandler(grpchealth.NewStaticChecker(names...)))
	reflector := grpcreflect.NewStaticReflector(names...)
	mux.Handle(grpcreflect.NewHandlerV1(reflector))
	mux.Handle(grpcreflect.NewHandlerV1Alpha(reflector))
	return mux
}
