package server

import (
	"strconv"
	"time"

	"connectrpc.com/connect"
	"errors"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/types/known/durationpb"
)

// overloaded is the ResourceExhausted answer to work beyond a limit: at
// once, with a retry hint in a google.rpc.RetryInfo detail and a
// Retry-After header, never a queue that grows without bound.
func overloaded(msg string, retryAfter time.Duration) *connect.Error {
	err := connect.NewError(connect.CodeResourceExhausted, errors.New(msg+"; retry after "+retryAfter.String()))
	if d, derr := connect.NewErrorDetail(&errdetails.RetryInfo{RetryDelay: durationpb.New(retryAfter)}); derr == nil {
		err.AddDetail(d)
	}
	err.Meta().Set("Retry-After", strconv.Itoa(int(max(1, retryAfter.Round(time.Second)/time.Second))))
	return err
}
