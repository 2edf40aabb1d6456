package judges

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestFailureLogRateLimitsPerModel(t *testing.T) {
	t.Parallel()
	type call struct {
		at    time.Duration // since the start
		model string
	}
	tests := []struct {
		name  string
		calls []call
		want  []string // the logged lines' model and suppressed count, in order
	}{
		{"one failure is logged", []call{{0, "a"}}, []string{"model=a suppressed=0"}},
		{"a burst is one line", []call{{0, "a"}, {time.Second, "a"}, {2 * time.Second, "a"}},
			[]string{"model=a suppressed=0"}},
		{"the next line counts the quiet ones", []call{{0, "a"}, {time.Second, "a"}, {2 * time.Second, "a"}, {11 * time.Second, "a"}},
			[]string{"model=a suppressed=0", "model=a suppressed=2"}},
		{"models are limited apart", []call{{0, "a"}, {time.Second, "b"}, {2 * time.Second, "a"}},
			[]string{"model=a suppressed=0", "model=b suppressed=0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			fl := newFailureLog(slog.New(slog.NewTextHandler(&buf, nil)))
			start := time.Unix(1_700_000_000, 0)
			var now time.Time
			fl.now = func() time.Time { return now }
			for _, c := range tc.calls {
				now = start.Add(c.at)
				fl.failed(c.model, errors.New("connection refused"))
			}
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("logged %d lines, want %d:\n%s", len(lines), len(tc.want), buf.String())
			}
			for i, w := range tc.want {
				model, count, _ := strings.Cut(w, " ")
				if !strings.Contains(lines[i], model) || !strings.Contains(lines[i], count) {
					t.Errorf("line %d = %q, want %s and %s", i, lines[i], model, count)
				}
			}
		})
	}
}
