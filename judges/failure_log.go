package judges

import (
	"log/slog"
	"sync"
	"time"
)

// failureLogInterval is how often, at most, a model's failing calls are
// logged. A backend that is down fails every call; one line per call would
// bury everything else in the log, while one line per interval with a count
// still says how bad it is.
const failureLogInterval = 10 * time.Second

// failureLog logs judge-call failures at most once per model per interval,
// with the number of failures it kept quiet about since the last line.
type failureLog struct {
	log      *slog.Logger
	interval time.Duration
	now      func() time.Time

	mu      sync.Mutex
	byModel map[string]*modelFailures
}

type modelFailures struct {
	last       time.Time // when the last line was written
	suppressed int       // failures since then, not logged
}

func newFailureLog(log *slog.Logger) *failureLog {
	return &failureLog{log: log, interval: failureLogInterval, now: time.Now, byModel: map[string]*modelFailures{}}
}

// failed records a failed call of model and logs it unless a line for the
// same model was written less than an interval ago.
func (f *failureLog) failed(model string, err error) {
	f.mu.Lock()
	now := f.now()
	m := f.byModel[model]
	if m == nil {
		m = &modelFailures{}
		f.byModel[model] = m
	}
	if !m.last.IsZero() && now.Sub(m.last) < f.interval {
		m.suppressed++
		f.mu.Unlock()
		return
	}
	suppressed := m.suppressed
	m.last, m.suppressed = now, 0
	f.mu.Unlock()
	f.log.Warn("judge call failed", "model", model, "err", err,
		"suppressed", suppressed, "suppressed_window", f.interval)
}
