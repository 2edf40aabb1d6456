package judges

import (
	"log/slog"

	"github.com/personajudge/personajudge/clients"
	"golang.org/x/sync/singleflight"
)

// Engine runs tasks against the configured models. Build it with
// NewEngine; it is safe for concurrent use.
type Engine struct {
	models *clients.Registry
	// maxReasks bounds how often unreadable output is asked for again.
	maxReasks int
	// cache, when set, answers repeated calls without paying for them.
	cache clients.Cache
	// calibrators, when set, calibrates every verdict.
	calibrators *calibrators
	log         *slog.Logger
	// failures logs failed judge calls, rate-limited per model.
	failures *failureLog

	inflight singleflight.Group
}

// EngineOption configures an Engine (the functional-options idiom used by
// every constructor of the project).
type EngineOption func(*Engine)

// DefaultMaxReasks is how often unreadable output is asked for again unless
// WithMaxReasks says otherwise.
const DefaultMaxReasks = 2

// WithMaxReasks bounds how often unreadable output is asked for again
// (0: never).
func WithMaxReasks(n int) EngineOption { return func(e *Engine) { e.maxReasks = max(n, 0) } }

// WithCache answers repeated judge calls from a content-addressed cache.
func WithCache(c clients.Cache) EngineOption { return func(e *Engine) { e.cache = c } }

// WithCalibrators calibrates every verdict with its profile's active
// calibrator, read from src (and kept in memory until invalidated).
func WithCalibrators(src CalibratorSource) EngineOption {
	return func(e *Engine) { e.calibrators = newCalibrators(src) }
}

// WithLogger logs judge-call failures (with the backend's own words, which
// callers never see); the default is slog.Default().
func WithLogger(l *slog.Logger) EngineOption {
	return func(e *Engine) {
		if l != nil {
			e.log = l
		}
	}
}

// NewEngine builds an engine judging with the registry's models.
func NewEngine(models *clients.Registry, opts ...EngineOption) *Engine {
	e := &Engine{models: models, maxReasks: DefaultMaxReasks, log: slog.Default()}
	for _, o := range opts {
		o(e)
	}
	e.failures = newFailureLog(e.log)
	return e
}

// Models is the registry the engine judges with.
func (e *Engine) Models() *clients.Registry { return e.models }
