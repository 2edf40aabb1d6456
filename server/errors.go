package server

import (
	"fmt"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
)

// fieldError is a request field that failed validation.
type fieldError struct {
	Field  string
	Reason string
}

func (e *fieldError) Error() string { return e.Field + ": " + e.Reason }

func badField(field, format string, args ...any) *fieldError {
	return &fieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// invalidArgument turns a field error into InvalidArgument, naming the field
// in the message and in a google.rpc.BadRequest detail that clients of every
// protocol can read.
func invalidArgument(fe *fieldError) *connect.Error {
	err := connect.NewError(connect.CodeInvalidArgument, fe)
	if d, derr := connect.NewErrorDetail(&errdetails.BadRequest{
		FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: fe.Field, Description: fe.Reason}},
	}); derr == nil {
		err.AddDetail(d)
	}
	return err
}
