package eval

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// ProgressStyle says how Run shows how far it has got, on Config.Log.
type ProgressStyle int

const (
	// ProgressOff shows nothing.
	ProgressOff ProgressStyle = iota
	// ProgressLines writes a plain line every Config.ProgressEvery: for
	// logs and CI, where a line rewritten in place would be noise.
	ProgressLines
	// ProgressBar rewrites one line in place (\r) a few times a second:
	// for a terminal.
	ProgressBar
)

// progress is a run's display. Rate and ETA count this run's results only.
type progress struct {
	w     io.Writer
	style ProgressStyle
	every time.Duration
	total int // items this run will send
	done  atomic.Int64
	start time.Time
	stop  chan struct{}
	wg    sync.WaitGroup
}

func startProgress(w io.Writer, style ProgressStyle, every time.Duration, total int) *progress {
	p := &progress{w: w, style: style, every: every, total: total, start: time.Now(), stop: make(chan struct{})}
	if style == ProgressBar {
		p.every = 250 * time.Millisecond
	}
	if style == ProgressOff || p.every <= 0 {
		return p
	}
	p.wg.Go(func() {
		t := time.NewTicker(p.every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.show()
			case <-p.stop:
				return
			}
		}
	})
	return p
}

func (p *progress) add() { p.done.Add(1) }

func (p *progress) line() string {
	done := int(p.done.Load())
	el := time.Since(p.start)
	rate := float64(done) / max(el.Seconds(), 1e-9)
	eta := "?"
	if rate > 0 && done <= p.total {
		eta = time.Duration(float64(p.total-done) / rate * float64(time.Second)).Round(time.Second).String()
	}
	frac := 1.0
	if p.total > 0 {
		frac = float64(done) / float64(p.total)
	}
	return fmt.Sprintf("%d/%d (%.1f%%)  %.1f/s  elapsed %s  ETA %s", done, p.total, 100*frac, rate, el.Round(time.Second), eta)
}

func (p *progress) show() {
	switch p.style {
	case ProgressBar:
		const width = 24
		done := int(p.done.Load())
		n := width
		if p.total > 0 {
			n = min(width*done/p.total, width)
		}
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = ' '
			if i < n {
				bar[i] = '='
			}
		}
		fmt.Fprintf(p.w, "\r[%s] %s\033[K", bar, p.line())
	case ProgressLines:
		fmt.Fprintf(p.w, "eval: %s\n", p.line())
	}
}

// finish stops the display, leaving the final state on its own line.
func (p *progress) finish() {
	close(p.stop)
	p.wg.Wait()
	if p.style == ProgressBar {
		p.show()
		fmt.Fprintln(p.w)
	}
}
