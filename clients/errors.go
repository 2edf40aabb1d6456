package clients

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/openai/openai-go/v3"
)

// FaultKind classifies a failed call so callers can map it to an RPC code or
// a per-item JUDGE_ERROR.
type FaultKind int

const (
	// FaultUnreachable: nothing answers at the base URL.
	FaultUnreachable FaultKind = iota + 1
	// FaultTimeout: the call ran out of time.
	FaultTimeout
	// FaultRateLimited: 429 after the allowed retries.
	FaultRateLimited
	// FaultServer: 5xx after the allowed retries.
	FaultServer
	// FaultRejected: the backend refused the request (4xx other than 429).
	FaultRejected
	// FaultCanceled: the caller went away.
	FaultCanceled
	// FaultOther: anything else (for example an unreadable HTTP body).
	FaultOther
)

func (k FaultKind) String() string {
	switch k {
	case FaultUnreachable:
		return "unreachable"
	case FaultTimeout:
		return "timeout"
	case FaultRateLimited:
		return "rate limited"
	case FaultServer:
		return "server error"
	case FaultRejected:
		return "rejected"
	case FaultCanceled:
		return "canceled"
	}
	return "error"
}

// CallError is a failed chat-completions call. Its message never contains
// the API key.
type CallError struct {
	Kind    FaultKind
	Model   string // configured name
	BaseURL string
	Status  int // HTTP status, when one came back
	// Attempts counts the HTTP attempts made, retries included.
	Attempts int64
	// QueueWait is the time spent waiting for a slot and the rate before
	// the call (or before giving up).
	QueueWait time.Duration
	Err       error

	secret string // the API key, redacted from messages
}

func (e *CallError) Error() string {
	msg := e.message()
	if len(e.secret) >= 4 {
		// A backend or proxy may echo the Authorization header back.
		msg = strings.ReplaceAll(msg, e.secret, "[redacted]")
	}
	return msg
}

func (e *CallError) message() string {
	switch e.Kind {
	case FaultUnreachable:
		return fmt.Sprintf("judge model %q: cannot reach %s (%v); start the backend there, or set OPENAI_BASE_URL (or base_url in the models file) to where it runs",
			e.Model, e.BaseURL, rootCause(e.Err))
	case FaultTimeout:
		return fmt.Sprintf("judge model %q at %s: timed out", e.Model, e.BaseURL)
	case FaultRateLimited, FaultServer:
		// These end as JUDGE_ERROR reasons that callers read: they say how
		// often the backend was tried, and leave its address out.
		return fmt.Sprintf("judge model %q: %s (HTTP %d)%s: %v", e.Model, e.Kind, e.Status, e.attempts(), rootCause(e.Err))
	}
	if e.Status != 0 {
		return fmt.Sprintf("judge model %q at %s: %s (HTTP %d): %v", e.Model, e.BaseURL, e.Kind, e.Status, rootCause(e.Err))
	}
	return fmt.Sprintf("judge model %q at %s: %s: %v", e.Model, e.BaseURL, e.Kind, rootCause(e.Err))
}

// attempts is " after N attempts", or nothing when the count is unknown.
func (e *CallError) attempts() string {
	switch {
	case e.Attempts <= 0:
		return ""
	case e.Attempts == 1:
		return " after 1 attempt"
	}
	return fmt.Sprintf(" after %d attempts", e.Attempts)
}

func (e *CallError) Unwrap() error { return e.Err }

// IsUnreachable reports whether err says the backend could not be reached.
func IsUnreachable(err error) bool {
	var ce *CallError
	return errors.As(err, &ce) && ce.Kind == FaultUnreachable
}

func classify(cfg *ModelConfig, err error) *CallError {
	ce := &CallError{Model: cfg.Name, BaseURL: cfg.BaseURL, Err: err, Kind: FaultOther, secret: cfg.apiKey}
	var apiErr *openai.Error
	var netErr net.Error
	switch {
	case errors.As(err, &apiErr):
		ce.Status = apiErr.StatusCode
		switch {
		case apiErr.StatusCode == 429:
			ce.Kind = FaultRateLimited
		case apiErr.StatusCode == 408:
			ce.Kind = FaultTimeout
		case apiErr.StatusCode >= 500:
			ce.Kind = FaultServer
		default:
			ce.Kind = FaultRejected
		}
	case errors.Is(err, context.Canceled):
		ce.Kind = FaultCanceled
	case errors.Is(err, context.DeadlineExceeded):
		ce.Kind = FaultTimeout
	case errors.Is(err, syscall.ECONNREFUSED), isDNSError(err):
		ce.Kind = FaultUnreachable
	case errors.As(err, &netErr) && netErr.Timeout():
		ce.Kind = FaultTimeout
	}
	return ce
}

func isDNSError(err error) bool {
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

// rootCause drops the URL wrapping that would repeat the address.
func rootCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	var apiErr *openai.Error
	if errors.As(err, &apiErr) && apiErr.Message != "" {
		return errors.New(apiErr.Message)
	}
	return err
}
