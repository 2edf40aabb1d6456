package server

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"sync"
	"testing"

	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

// A stream that stops reading must pause itself, never the server. The
// tests below run with the bound of the issue that found it, 64 queued
// items (what serve derives from a backend of max_concurrency 16), of which
// one stream may hold a quarter. The backend itself takes up to 256 calls
// at once here: the tests hold stream items' calls at the backend, and
// must not run out of LLM slots before they run out of the bound.
const (
	fairBound = 64
	fairShare = fairBound / 4
)

// gatedStreams is an llmfake backend whose stream items ("STREAM s ITEM
// i" in the query) report their arrival and then wait for their stream's
// gate; other items (unary calls, probes) are answered at once.
type gatedStreams struct {
	gates   []chan struct{}
	once    []sync.Once
	arrived chan [2]int // stream, item
	big     []bool      // streams whose answers are large
	long    string
}

var reStreamItem = regexp.MustCompile(`STREAM (\d+) ITEM (\d+)`)

func newGatedStreams(t *testing.T, streams int) *gatedStreams {
	g := &gatedStreams{
		gates:   make([]chan struct{}, streams),
		once:    make([]sync.Once, streams),
		arrived: make(chan [2]int, 1<<14),
		big:     make([]bool, streams),
	}
	for i := range g.gates {
		g.gates[i] = make(chan struct{})
	}
	// Incompressible text: a result with it is tens of KB even gzipped.
	rng := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, 8000)
	for i := range b {
		b[i] = byte('a' + rng.IntN(26))
	}
	g.long = string(b)
	return g
}

func (g *gatedStreams) open(s int) { g.once[s].Do(func() { close(g.gates[s]) }) }

func (g *gatedStreams) behavior() llmfake.Behavior {
	content := fakejudge.ContentPreference("GOOD", 80)
	return func(r *llmfake.Request, n int64) llmfake.Reply {
		m := reStreamItem.FindStringSubmatch(r.User())
		if m == nil {
			return content(r, n)
		}
		s, _ := strconv.Atoi(m[1])
		i, _ := strconv.Atoi(m[2])
		g.arrived <- [2]int{s, i}
		<-g.gates[s]
		if g.big[s] {
			return llmfake.Reply{Content: `{"rationale":"` + g.long + `","choice":"A","certainty":70}`}
		}
		return content(r, n)
	}
}

func gatedItem(s, i int) *pb.ScoreRequest {
	r := prefItemID(fmt.Sprintf("s%d-%d", s, i), i%2)
	r.GetPreference().Query += fmt.Sprintf(" STREAM %d ITEM %d", s, i)
	return r
}

// waitArrivals waits until every listed stream has had its first share of
// items reach the backend (both orders of each). It returns the items
// beyond a stream's share that got there meanwhile, as "stream/item"; with
// stopBeyond it returns at the first of them (other streams may then never
// get their share).
func (g *gatedStreams) waitArrivals(stopBeyond bool, streams ...int) (beyond []string) {
	want := map[int]int{}
	for _, s := range streams {
		want[s] = 2 * fairShare
	}
	for len(want) > 0 {
		a := <-g.arrived
		if a[1] >= fairShare {
			beyond = append(beyond, fmt.Sprintf("%d/%d", a[0], a[1]))
			if stopBeyond {
				return beyond
			}
			continue
		}
		if want[a[0]]--; want[a[0]] == 0 {
			delete(want, a[0])
		}
	}
	return beyond
}

// beyondShare drains the arrivals so far and returns those beyond a
// stream's share, as waitArrivals does.
func (g *gatedStreams) beyondShare() (beyond []string) {
	for {
		select {
		case a := <-g.arrived:
			if a[1] >= fairShare {
				beyond = append(beyond, fmt.Sprintf("%d/%d", a[0], a[1]))
			}
		default:
			return beyond
		}
	}
}

func assertWithinShare(t *testing.T, beyond []string) {
	t.Helper()
	if len(beyond) > 0 {
		t.Fatalf("items %v (stream/item) reached the backend while their stream's first %d were unanswered: a stream holds more than its share of the bound", clipList(beyond, 10), fairShare)
	}
}

func clipList(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(s[:n:n], fmt.Sprintf("... %d more", len(s)-n))
}

func fairHarness(t *testing.T, g *gatedStreams) *harness {
	fake := llmfake.New(g.behavior())
	t.Cleanup(fake.Close)
	zero := 0
	h := buildHarness(t, fake, clients.FileConfig{Models: []clients.ModelConfig{
		{Name: "judge", BaseURL: fake.BaseURL(), MaxConcurrency: 256, Timeout: "60s", MaxRetries: &zero},
	}}, harnessExtras{maxQueued: fairBound})
	// Registered after the harness, so it runs before the server and the
	// fake close: no judgment is left waiting at a gate.
	t.Cleanup(func() {
		for i := range g.gates {
			g.open(i)
		}
	})
	return h
}

// The reproduction: one stream sends 3,000 items and never reads.
// It may hold its share of the bound, no more, and everyone else's Score
// still goes through.
func TestScoreStreamWithoutReaderCannotLockOutScore(t *testing.T) {
	t.Parallel()
	g := newGatedStreams(t, 1)
	h := fairHarness(t, g)
	silentStream(t, h, 3000, func(i int) *pb.ScoreRequest { return gatedItem(0, i) })
	beyond := g.waitArrivals(false, 0)

	resp, err := h.connect.Score(t.Context(), prefItem(1))
	if err != nil {
		t.Errorf("Score while a stream does not read: %v", err)
	} else if resp.Status != verdict || resp.Verdict.GetChoice() != 1 {
		t.Errorf("Score: status %v verdict %v", resp.Status, resp.Verdict)
	}
	assertWithinShare(t, append(beyond, g.beyondShare()...))
}

// A finished item gives its place in the bound back when its result is
// produced, not when a reader takes it. Four silent streams fill the bound
// with items being judged; a fifth, reading stream waits for room. When the
// first silent stream's judgments finish (their results cannot be sent: a
// 1 KiB window and results of tens of KB), the waiting item is admitted
// and answered, and Score goes through again.
func TestScoreStreamReleasesAdmissionWhenResultIsProduced(t *testing.T) {
	t.Parallel()
	const silent = fairBound / fairShare
	g := newGatedStreams(t, silent)
	g.big[0] = true
	h := fairHarness(t, g)
	streams := make([]int, silent)
	for s := range silent {
		streams[s] = s
		silentStream(t, h, 200, func(i int) *pb.ScoreRequest { return gatedItem(s, i) })
	}
	assertWithinShare(t, g.waitArrivals(true, streams...))

	// The bound is full of items being judged: Score is refused, as it
	// should be under a full load.
	_, err := h.connect.Score(t.Context(), prefItem(0))
	assertOverloaded(t, err)

	probe, err := h.connect.ScoreStream(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := probe.Send(&pb.ScoreStreamRequest{Item: prefItemID("probe", 1)}); err != nil {
		t.Fatal(err)
	}
	// If finished items kept their place until a reader took them, the
	// probe would never be admitted: this Receive would block until the
	// test's deadline, with the probe's goroutine in the dump.
	g.open(0)
	msg, err := probe.Receive()
	if err != nil {
		t.Fatalf("the waiting stream item: %v", err)
	}
	if msg.Result.ItemId != "probe" || msg.Result.Status != verdict {
		t.Fatalf("probe result: %v", msg.Result)
	}
	probe.CloseRequest()
	probe.CloseResponse()

	// Stream 0 holds its share of unsent results and nothing of the bound;
	// the other three still judge. Score goes through.
	if _, err := h.connect.Score(t.Context(), prefItem(1)); err != nil {
		t.Fatalf("Score after the silent stream's items finished: %v", err)
	}
	assertWithinShare(t, g.beyondShare())
}
