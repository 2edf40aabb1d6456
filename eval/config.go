package eval

import (
	"errors"
	"io"
	"net/http"
	"time"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// Defaults for Config fields left zero.
const (
	// DefaultInFlight keeps a 64-call model limit busy on swapped items
	// with room to spare; far more only piles writers onto the service
	// store's lock.
	DefaultInFlight = 128
	// DefaultOutcomesBatch is the labels sent per RecordOutcomes call.
	DefaultOutcomesBatch = 500
	// DefaultStopAfterErrors is how many JUDGE_ERROR results in a row end a
	// run: enough that a burst of backend faults does not, few enough that
	// an unreachable backend costs seconds, not thousands of error lines.
	DefaultStopAfterErrors = 20
	// DefaultSyncEvery bounds what a crash can lose to about a second of
	// results, which a resumed run judges again from the cache.
	DefaultSyncEvery = time.Second
)

// Config is everything Run needs: the two files, the service, and how to
// drive it.
type Config struct {
	// Dataset is the JSON-lines file of items to judge, one Item a line.
	Dataset string
	// Results is the JSON-lines file results are appended to as they
	// arrive (see ParseResult). Items already in it are skipped, so running
	// again with the same Config resumes.
	Results string

	// Addr is the service's base URL. HTTPClient reaches it and must speak
	// HTTP/2, which ScoreStream needs: over cleartext (h2c) for http://.
	Addr       string
	HTTPClient *http.Client
	// Addrs, when set, are the base URLs of several replicas of the
	// service (Addr is then ignored): items are spread over one stream to
	// each, and a replica that fails mid-run hands its unanswered items to
	// the others. Outcomes go to the first replica that takes them.
	Addrs []string
	// ClientOptions go to every RPC client Run makes (an API key, say).
	ClientOptions []connect.ClientOption

	// InFlight bounds the items sent but not yet answered (0: DefaultInFlight).
	InFlight int
	// OrderPolicy and Cache, when set, override every item's own.
	OrderPolicy pb.OrderPolicy
	Cache       pb.CachePolicy
	// RetryErrors judges again the items whose result is JUDGE_ERROR,
	// removing their lines from Results first.
	RetryErrors bool
	// RecordOutcomes sends, after a complete run, the labels of labelled
	// VERDICT results to CalibrationService.RecordOutcomes, OutcomesBatch
	// at a time (0: DefaultOutcomesBatch). The service records them only
	// with an admin key when it has keys.
	RecordOutcomes bool
	OutcomesBatch  int
	// StopAfterErrors ends the run after that many JUDGE_ERROR results in
	// a row, with the last one's reason (0: DefaultStopAfterErrors;
	// negative: never). Run again with RetryErrors to judge them again.
	StopAfterErrors int
	// SyncEvery is how often results are flushed and fsynced to Results
	// (0: DefaultSyncEvery).
	SyncEvery time.Duration

	// Progress is shown on Log; ProgressLines writes a line every
	// ProgressEvery (0: none).
	Progress      ProgressStyle
	ProgressEvery time.Duration

	// SimulatorCalls, when set, reports the requests a simulated backend
	// has received; the summary shows it beside the service's LLM calls,
	// which tells retries and the cache apart from real traffic.
	SimulatorCalls func() int64

	// Report receives the summary; Log the progress and notices such as a
	// torn line cut off Results. nil discards.
	Report io.Writer
	Log    io.Writer
}

// withDefaults checks what has no default and fills in what has.
func (c Config) withDefaults() (Config, error) {
	switch {
	case c.Dataset == "" || c.Results == "":
		return c, errors.New("eval: Dataset and Results are required")
	case (c.Addr == "" && len(c.Addrs) == 0) || c.HTTPClient == nil:
		return c, errors.New("eval: Addr and HTTPClient are required")
	}
	if len(c.Addrs) == 0 {
		c.Addrs = []string{c.Addr}
	}
	if c.InFlight <= 0 {
		c.InFlight = DefaultInFlight
	}
	if c.OutcomesBatch <= 0 {
		c.OutcomesBatch = DefaultOutcomesBatch
	}
	if c.StopAfterErrors == 0 {
		c.StopAfterErrors = DefaultStopAfterErrors
	}
	if c.SyncEvery <= 0 {
		c.SyncEvery = DefaultSyncEvery
	}
	if c.Report == nil {
		c.Report = io.Discard
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	return c, nil
}
