package server

import (
	"fmt"
	"testing"

	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

// A PersonaScore call larger than the server's bound flows through it on an
// idle server: items are admitted as earlier ones finish, not all at once.
func TestPersonaScoreLargerThanTheBound(t *testing.T) {
	t.Parallel()
	fake := llmfake.New(fakejudge.ContentAdherence(80))
	t.Cleanup(fake.Close)
	h := buildHarness(t, fake, clients.FileConfig{Models: []clients.ModelConfig{
		{Name: "judge", BaseURL: fake.BaseURL(), MaxConcurrency: 16, Timeout: "5s"},
	}}, harnessExtras{maxQueued: 16})
	const n = 200
	items := make([]*pb.PersonaScoreItem, n)
	for i := range items {
		items[i] = psItem(fmt.Sprintf("i-%d", i), pb.AdherenceTaskKind(1+i%5), fmt.Sprintf("SCORE=%d", 1+i%5))
	}
	resp, err := h.connect.PersonaScore(t.Context(), &pb.PersonaScoreRequest{Persona: testPersona, Items: items})
	if err != nil {
		t.Fatalf("%d items against a bound of 16 on an idle server: %v", n, err)
	}
	if len(resp.Judgments) != n {
		t.Fatalf("%d judgments for %d items", len(resp.Judgments), n)
	}
	for _, ts := range resp.TaskScores {
		if ts.Scored != n/5 {
			t.Errorf("task %v: %d scored, want %d", ts.Task, ts.Scored, n/5)
		}
	}
}

func TestCallWindow(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ capacity, n, workers, want int }{
		{64, 1000, 64, 32},   // half the bound
		{4096, 1000, 64, 64}, // the workers
		{4096, 3, 64, 3},     // the call itself
		{2, 3, 64, 1},        // half of a tiny bound
		{1, 5, 64, 1},        // never zero
	} {
		if got := newAdmission(tt.capacity).callWindow(tt.n, tt.workers); got != tt.want {
			t.Errorf("capacity %d, %d items, %d workers: window %d, want %d", tt.capacity, tt.n, tt.workers, got, tt.want)
		}
	}
}
