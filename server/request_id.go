package server

import (
	"context"
	"errors"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
)

// RequestIDHeader carries the id the server gave a request; an internal
// error names the same id, so an operator can find its log lines.
const RequestIDHeader = "X-Request-Id"

// errorDomain is the ErrorInfo domain of this service's errors.
const errorDomain = "personajudge.dev"

type requestIDKey struct{}

// requestID returns the request's id, minting one for calls that did not
// come through the interceptor (tests, in-process callers).
func requestID(ctx context.Context) string {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		return id
	}
	return uuid.NewString()
}

// requestIDInterceptor gives every RPC an id, in its context and in the
// response header.
type requestIDInterceptor struct{}

func (requestIDInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		id := uuid.NewString()
		resp, err := next(context.WithValue(ctx, requestIDKey{}, id), req)
		if err != nil {
			var ce *connect.Error
			if errors.As(err, &ce) {
				ce.Meta().Set(RequestIDHeader, id)
			}
			return nil, err
		}
		resp.Header().Set(RequestIDHeader, id)
		return resp, nil
	}
}

func (requestIDInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (requestIDInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		id := uuid.NewString()
		conn.ResponseHeader().Set(RequestIDHeader, id)
		return next(context.WithValue(ctx, requestIDKey{}, id), conn)
	}
}

// internalError is the one way a fault inside the service reaches a
// caller: the error (a SQL error, a path, a backend address) is logged with
// the request id, and the caller gets the code, a stable message, the id,
// and an ErrorInfo naming the reason.
func (s *Service) internalError(ctx context.Context, code connect.Code, reason, message string, err error) *connect.Error {
	id := requestID(ctx)
	s.log.Error(message, "request_id", id, "reason", reason, "err", err)
	ce := connect.NewError(code, errors.New(message+" (request id "+id+")"))
	if d, derr := connect.NewErrorDetail(&errdetails.ErrorInfo{
		Reason: reason, Domain: errorDomain, Metadata: map[string]string{"request_id": id},
	}); derr == nil {
		ce.AddDetail(d)
	}
	return ce
}

// reasonBackendUnreachable is the ErrorInfo reason of an RPC that found no
// judge backend.
const reasonBackendUnreachable = "JUDGE_BACKEND_UNREACHABLE"

// errorInfoReason is the reason of err's ErrorInfo detail, "" without one.
func errorInfoReason(err error) string {
	var ce *connect.Error
	if !errors.As(err, &ce) {
		return ""
	}
	for _, d := range ce.Details() {
		if v, derr := d.Value(); derr == nil {
			if info, ok := v.(*errdetails.ErrorInfo); ok {
				return info.Reason
			}
		}
	}
	return ""
}
