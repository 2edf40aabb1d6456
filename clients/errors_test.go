package clients

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
)

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestClassify(t *testing.T) {
	t.Parallel()
	urlErr := func(err error) error { return &url.Error{Op: "Post", URL: "http://h/v1/chat/completions", Err: err} }
	refused := urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)})
	tests := []struct {
		name string
		err  error
		kind FaultKind
	}{
		{"canceled", context.Canceled, FaultCanceled},
		{"wrapped canceled", urlErr(context.Canceled), FaultCanceled},
		{"deadline", context.DeadlineExceeded, FaultTimeout},
		{"wrapped deadline", fmt.Errorf("post: %w", context.DeadlineExceeded), FaultTimeout},
		{"connection refused", refused, FaultUnreachable},
		{"DNS failure", urlErr(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "nowhere.invalid", IsNotFound: true}}), FaultUnreachable},
		{"network timeout", urlErr(timeoutErr{}), FaultTimeout},
		{"anything else", errors.New("unexpected EOF"), FaultOther},
	}
	cfg := &ModelConfig{Name: "judge", BaseURL: "http://h/v1"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ce := classify(cfg, tt.err)
			if ce.Kind != tt.kind {
				t.Errorf("classify(%v) = %v, want %v", tt.err, ce.Kind, tt.kind)
			}
			if ce.Model != "judge" || ce.BaseURL != "http://h/v1" || ce.Status != 0 || !errors.Is(ce, tt.err) {
				t.Errorf("classify(%v) = %+v", tt.err, ce)
			}
		})
	}
}

func TestCallErrorMessages(t *testing.T) {
	t.Parallel()
	refused := &url.Error{Op: "Post", URL: "http://h/v1/chat/completions", Err: errors.New("dial tcp: connection refused")}
	tests := []struct {
		name string
		err  *CallError
		want string
	}{
		{
			"unreachable names the fix",
			&CallError{Kind: FaultUnreachable, Model: "m", BaseURL: "http://h/v1", Err: refused},
			`judge model "m": cannot reach http://h/v1 (dial tcp: connection refused); start the backend there, or set OPENAI_BASE_URL (or base_url in the models file) to where it runs`,
		},
		{
			"timeout",
			&CallError{Kind: FaultTimeout, Model: "m", BaseURL: "http://h/v1", Err: context.DeadlineExceeded},
			`judge model "m" at http://h/v1: timed out`,
		},
		{
			"server error counts attempts, without the address",
			&CallError{Kind: FaultServer, Model: "m", BaseURL: "http://h/v1", Status: 502, Attempts: 4, Err: errors.New("bad gateway")},
			`judge model "m": server error (HTTP 502) after 4 attempts: bad gateway`,
		},
		{
			"rate limit after one attempt",
			&CallError{Kind: FaultRateLimited, Model: "m", BaseURL: "http://h/v1", Status: 429, Attempts: 1, Err: errors.New("slow down")},
			`judge model "m": rate limited (HTTP 429) after 1 attempt: slow down`,
		},
		{
			"attempts unknown",
			&CallError{Kind: FaultServer, Model: "m", BaseURL: "http://h/v1", Status: 500, Err: errors.New("oops")},
			`judge model "m": server error (HTTP 500): oops`,
		},
		{
			"other status keeps the address",
			&CallError{Kind: FaultRejected, Model: "m", BaseURL: "http://h/v1", Status: 400, Err: errors.New("bad request")},
			`judge model "m" at http://h/v1: rejected (HTTP 400): bad request`,
		},
		{
			"without status",
			&CallError{Kind: FaultCanceled, Model: "m", BaseURL: "http://h/v1", Err: context.Canceled},
			`judge model "m" at http://h/v1: canceled: context canceled`,
		},
		{
			"url error is unwrapped once",
			&CallError{Kind: FaultOther, Model: "m", BaseURL: "http://h/v1", Err: &url.Error{Op: "Post", URL: "http://h/v1/x", Err: errors.New("EOF")}},
			`judge model "m" at http://h/v1: error: EOF`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() =\n%q\nwant\n%q", got, tt.want)
			}
			if !errors.Is(tt.err, tt.err.Err) {
				t.Errorf("CallError does not unwrap to its cause")
			}
		})
	}
}

func TestFaultKindString(t *testing.T) {
	t.Parallel()
	want := map[FaultKind]string{
		FaultUnreachable: "unreachable",
		FaultTimeout:     "timeout",
		FaultRateLimited: "rate limited",
		FaultServer:      "server error",
		FaultRejected:    "rejected",
		FaultCanceled:    "canceled",
		FaultOther:       "error",
		FaultKind(0):     "error",
	}
	for k, s := range want {
		if k.String() != s {
			t.Errorf("FaultKind(%d).String() = %q, want %q", int(k), k.String(), s)
		}
	}
}

func TestIsUnreachable(t *testing.T) {
	t.Parallel()
	un := &CallError{Kind: FaultUnreachable}
	tests := []struct {
		err  error
		want bool
	}{
		{un, true},
		{fmt.Errorf("judging: %w", un), true},
		{&CallError{Kind: FaultServer}, false},
		{errors.New("cannot reach"), false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := IsUnreachable(tt.err); got != tt.want {
			t.Errorf("IsUnreachable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
	if !strings.Contains(un.Error(), "cannot reach") {
		t.Errorf("unreachable message %q", un.Error())
	}
}
