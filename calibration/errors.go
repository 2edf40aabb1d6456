package calibration

import "errors"

// Sentinel errors, so that callers (the server) can map bad input to an
// InvalidArgument status with errors.Is instead of matching message text.
var (
	// ErrNoSamples is returned when there is nothing to fit or evaluate.
	ErrNoSamples = errors.New("calibration: no samples")
	// ErrUnknownMethod is returned for a method name outside the allowed set.
	ErrUnknownMethod = errors.New("calibration: unknown method")
	// ErrInvalidInput is returned for NaN, infinite or out-of-range values,
	// mismatched lengths and bad parameters.
	ErrInvalidInput = errors.New("calibration: invalid input")
)
