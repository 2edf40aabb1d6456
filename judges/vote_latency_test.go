package judges

import (
	"testing"
	"time"

	"github.com/personajudge/personajudge/clients"
	"github.com/personajudge/personajudge/internal/llmfake"
)

// A vote's wall time holds its queue wait (for the model's one call slot,
// which the two orders share) and its call time, kept apart; the call time
// covers at least the backend's own delay.
func TestVoteLatencySplit(t *testing.T) {
	t.Parallel()
	const delay = 20 * time.Millisecond
	fake := llmfake.New(func(req *llmfake.Request, n int64) llmfake.Reply {
		r := engFollows(req, n)
		r.Delay = delay
		return r
	})
	t.Cleanup(fake.Close)
	reg, err := clients.NewRegistry(clients.FileConfig{Models: []clients.ModelConfig{
		{Name: "one-slot", BaseURL: fake.BaseURL(), MaxConcurrency: 1, Timeout: "10s"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	j, err := NewEngine(reg).Judge(t.Context(), engItem(), engCfg("one-slot"))
	if err != nil {
		t.Fatal(err)
	}
	if len(j.Votes) != 2 {
		t.Fatalf("%d votes, want 2", len(j.Votes))
	}
	for _, v := range j.Votes {
		wait, call, wall := v.QueueWait.AsDuration(), v.CallLatency.AsDuration(), v.Latency.AsDuration()
		if v.QueueWait == nil || v.CallLatency == nil || wait < 0 {
			t.Fatalf("vote %v: queue wait %v, call latency %v", v.ShownOrder, v.QueueWait, v.CallLatency)
		}
		if call < delay {
			t.Errorf("vote %v: call latency %v below the backend's delay %v", v.ShownOrder, call, delay)
		}
		if wait+call > wall {
			t.Errorf("vote %v: queue wait %v + call %v exceed the vote's wall time %v", v.ShownOrder, wait, call, wall)
		}
	}
}
