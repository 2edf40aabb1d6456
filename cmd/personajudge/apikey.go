package main

import (
	"context"
	"os"

	"connectrpc.com/connect"
)

// apiKeyOption makes a client send $PERSONAJUDGE_API_KEY as a bearer token,
// when it is set, on unary and streaming calls alike. The key is read from
// the environment, never from a flag, so it stays out of shell history and
// process listings.
func apiKeyOption() connect.ClientOption {
	return connect.WithInterceptors(apiKeyInterceptor{key: os.Getenv("PERSONAJUDGE_API_KEY")})
}

type apiKeyInterceptor struct{ key string }

func (i apiKeyInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if i.key != "" {
			req.Header().Set("Authorization", "Bearer "+i.key)
		}
		return next(ctx, req)
	}
}

func (i apiKeyInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		if i.key != "" {
			conn.RequestHeader().Set("Authorization", "Bearer "+i.key)
		}
		return conn
	}
}

func (i apiKeyInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}
