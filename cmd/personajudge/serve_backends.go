package main

import (
	"context"
	"log/slog"
	"sync"

	"github.com/personajudge/personajudge/clients"
)

// logBackends says at start which backend each judge model uses (its URL
// without credentials), then probes every backend once, concurrently, and
// warns about those that do not answer, so a wrong address or key shows in
// the first seconds rather than as JUDGE_ERRORs later. It returns once every
// probe has ended (each is bounded by clients.ProbeTimeout).
func logBackends(ctx context.Context, log *slog.Logger, reg *clients.Registry) {
	var wg sync.WaitGroup
	for _, name := range reg.Names() {
		m, _ := reg.Get(name)
		log.Info("judge model", "name", name, "model", m.ModelID(), "base_url", m.BaseURL(), "default", name == reg.Default())
		wg.Go(func() {
			if err := m.Probe(ctx); err != nil {
				log.Warn("judge backend does not answer; judgments with this model will be JUDGE_ERROR until it does",
					"name", name, "base_url", m.BaseURL(), "err", err)
				return
			}
			log.Info("judge backend answers", "name", name, "base_url", m.BaseURL())
		})
	}
	wg.Wait()
}
