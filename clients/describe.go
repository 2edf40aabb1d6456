package clients

import (
	"errors"
	"fmt"
)

// Describe states what kind of fault a failed call was, in words safe to
// send to a caller: the configured model name, the kind, the HTTP status
// and the number of attempts, never the backend's address, the backend's
// own message, or the API key (log the error itself for those).
func Describe(err error) string {
	var ce *CallError
	if !errors.As(err, &ce) {
		return "judge call failed"
	}
	kind := ce.Kind.String()
	if ce.Kind == FaultTimeout {
		kind = "timed out"
	}
	msg := fmt.Sprintf("judge model %q: %s", ce.Model, kind)
	switch {
	case ce.Kind == FaultUnreachable:
		msg += " (nothing answers at its configured address)"
	case ce.Status != 0:
		msg += fmt.Sprintf(" (HTTP %d)", ce.Status)
	}
	if ce.Attempts > 0 {
		msg += fmt.Sprintf(" after %d attempt%s", ce.Attempts, plural(ce.Attempts))
	}
	return msg
}

func plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}
