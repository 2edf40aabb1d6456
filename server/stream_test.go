package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

// streamAll sends every request on a Connect bidi stream while reading
// results concurrently, and returns the results in arrival order.
func streamAll(t *testing.T, h *harness, reqs []*pb.ScoreRequest) []*pb.ScoreResponse {
	t.Helper()
	stream, err := h.connect.ScoreStream(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	sent := make(chan error, 1)
	go func() {
		for _, r := range reqs {
			if err := stream.Send(&pb.ScoreStreamRequest{Item: r}); err != nil {
				sent <- err
				return
			}
		}
		sent <- stream.CloseRequest()
	}()
	var out []*pb.ScoreResponse
	for {
		msg, err := stream.Receive()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		out = append(out, msg.Result)
	}
	if err := stream.CloseResponse(); err != nil {
		t.Fatal(err)
	}
	if err := <-sent; err != nil {
		t.Fatalf("send: %v", err)
	}
	return out
}

func prefItemID(id string, better int) *pb.ScoreRequest {
	r := prefItem(better)
	r.ItemId = id
	return r
}

// Every item is answered exactly once; bad items (INVALID) and failing
// ones (JUDGE_ERROR) are results, never a broken stream.
func TestScoreStreamAnswersEveryItemOnce(t *testing.T) {
	content := fakejudge.ContentPreference("GOOD", 80)
	h := newHarness(t, func(r *llmfake.Request, n int64) llmfake.Reply {
		if strings.Contains(r.User(), "FAIL") {
			return llmfake.Reply{Status: 500}
		}
		return content(r, n)
	}, func(c *clients.ModelConfig) { zero := 0; c.MaxRetries = &zero })
	var reqs []*pb.ScoreRequest
	want := map[string]pb.JudgmentStatus{}
	for i := range 40 {
		id := fmt.Sprintf("ok-%d", i)
		reqs = append(reqs, prefItemID(id, i%2))
		want[id] = verdict
	}
	bad := prefItemID("bad-persona", 0)
	bad.GetPreference().Persona = ""
	fail := prefItemID("llm-fails", 0)
	fail.GetPreference().Query += " FAIL"
	reqs = append(reqs, bad, fail, prefItemID("ok-3", 0), prefItemID("", 0))
	want["bad-persona"], want["llm-fails"] = pb.JudgmentStatus_JUDGMENT_STATUS_INVALID, judgeErr

	results := streamAll(t, h, reqs)
	if len(results) != len(reqs) {
		t.Fatalf("%d results for %d items", len(results), len(reqs))
	}
	got := map[string]int{}
	var dupReason, emptyReason string
	for _, r := range results {
		got[r.ItemId]++
		switch {
		case r.ItemId == "":
			emptyReason = r.Reason
		case r.ItemId == "ok-3" && r.Status == pb.JudgmentStatus_JUDGMENT_STATUS_INVALID:
			dupReason = r.Reason
		}
	}
	for id, status := range want {
		var r *pb.ScoreResponse
		for _, x := range results {
			if x.ItemId == id && x.JudgmentId != "" || x.ItemId == id && id == "bad-persona" {
				r = x
			}
		}
		if r == nil || r.Status != status {
			t.Fatalf("item %s: result %v, want status %v", id, r, status)
		}
	}
	if got["ok-3"] != 2 || !strings.Contains(dupReason, "item.item_id") {
		t.Fatalf("duplicate id: %d results, reason %q", got["ok-3"], dupReason)
	}
	if !strings.Contains(emptyReason, "invalid_argument: item.item_id") {
		t.Fatalf("missing id: reason %q", emptyReason)
	}
	for _, r := range results {
		if r.ItemId == "bad-persona" && !strings.Contains(r.Reason, "invalid_argument: preference.persona") {
			t.Fatalf("bad item reason %q does not name the field", r.Reason)
		}
		if r.ItemId == "llm-fails" && !strings.Contains(r.Reason, "HTTP 500") {
			t.Fatalf("failing item reason %q", r.Reason)
		}
	}
	if n := h.judgments(t); n != 41 { // 40 ok + the failing one, recorded as JUDGE_ERROR
		t.Fatalf("%d judgments recorded, want 41", n)
	}
}

// Results come back as they finish: a slow first item does not hold back
// the fast ones.
func TestScoreStreamOutOfOrder(t *testing.T) {
	content := fakejudge.ContentPreference("GOOD", 80)
	h := newHarness(t, func(r *llmfake.Request, n int64) llmfake.Reply {
		rep := content(r, n)
		if strings.Contains(r.User(), "SLOW") {
			rep.Delay = 2 * time.Second // far beyond the fast items, even on a loaded machine
		}
		return rep
	})
	slow := prefItemID("slow", 0)
	slow.GetPreference().Query += " SLOW"
	results := streamAll(t, h, []*pb.ScoreRequest{slow, prefItemID("fast-1", 0), prefItemID("fast-2", 1)})
	if len(results) != 3 || results[2].ItemId != "slow" {
		t.Fatalf("arrival order %v, want the slow item last", ids(results))
	}
}

func ids(rs []*pb.ScoreResponse) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ItemId)
	}
	return out
}

// A second run of the same items makes no LLM call; REFRESH calls again,
// BYPASS neither reads nor writes; identical calls in flight are made once.
func TestScoreStreamCache(t *testing.T) {
	content := fakejudge.ContentPreference("GOOD", 80)
	h := newCachedHarness(t, func(r *llmfake.Request, n int64) llmfake.Reply {
		rep := content(r, n)
		rep.Delay = 50 * time.Millisecond
		return rep
	})
	var reqs []*pb.ScoreRequest
	for i := range 10 {
		r := prefItemID(fmt.Sprintf("item-%d", i), i%2)
		r.GetPreference().Persona += fmt.Sprintf(" (variant %d)", i)
		reqs = append(reqs, r)
	}
	streamAll(t, h, reqs)
	if c := h.fake.Calls(); c != 20 {
		t.Fatalf("first run: %d calls, want 20", c)
	}
	// Same inputs, new item ids: the cache key ignores item_id.
	for _, r := range reqs {
		r.ItemId += "-again"
	}
	second := streamAll(t, h, reqs)
	if c := h.fake.Calls(); c != 20 {
		t.Fatalf("second run made %d LLM calls, want 0", c-20)
	}
	for _, r := range second {
		if r.Status != verdict || r.Usage.CacheHits != 2 || r.Usage.LlmCalls != 0 || !r.Votes[0].CacheHit {
			t.Fatalf("second run result %s: status %v usage %v", r.ItemId, r.Status, r.Usage)
		}
	}
	ctx := t.Context()
	for _, tc := range []struct {
		policy    pb.CachePolicy
		wantCalls int64
	}{{pb.CachePolicy_CACHE_POLICY_REFRESH, 2}, {pb.CachePolicy_CACHE_POLICY_BYPASS, 2}, {pb.CachePolicy_CACHE_POLICY_USE, 0}} {
		before := h.fake.Calls()
		r := prefItemID("policy", 0)
		r.GetPreference().Persona += " (variant 0)"
		r.Judge = &pb.JudgeConfig{Cache: tc.policy}
		if _, err := h.connect.Score(ctx, r); err != nil {
			t.Fatal(err)
		}
		if c := h.fake.Calls() - before; c != tc.wantCalls {
			t.Fatalf("%v: %d calls, want %d", tc.policy, c, tc.wantCalls)
		}
	}
	// Two identical items in flight at once: one pays, the other shares.
	before := h.fake.Calls()
	twin := func(id string) *pb.ScoreRequest {
		r := prefItemID(id, 1)
		r.GetPreference().Persona += " (twin)"
		return r
	}
	var wg sync.WaitGroup
	resps := make([]*pb.ScoreResponse, 2)
	for i, id := range []string{"twin-a", "twin-b"} {
		wg.Go(func() {
			r, err := h.connect.Score(ctx, twin(id))
			if err != nil {
				t.Error(err)
			}
			resps[i] = r
		})
	}
	wg.Wait()
	if c := h.fake.Calls() - before; c != 2 {
		t.Fatalf("identical concurrent judgments made %d calls, want 2", c)
	}
	if hits := resps[0].Usage.CacheHits + resps[1].Usage.CacheHits; hits != 2 {
		t.Fatalf("cache hits across the twins = %d, want 2", hits)
	}
}

// A reader that stops reading makes the server stop taking items, instead of
// judging (and buffering) the whole stream.
func TestScoreStreamBackpressure(t *testing.T) {
	// Incompressible rationales make each result about 10 KB even after gzip.
	rng := rand.New(rand.NewPCG(1, 2))
	letters := make([]byte, 4000)
	for i := range letters {
		letters[i] = byte('a' + rng.IntN(26))
	}
	long := string(letters)
	h := newHarness(t, func(*llmfake.Request, int64) llmfake.Reply {
		return llmfake.Reply{Content: `{"rationale":"` + long + `","choice":"A","certainty":70}`}
	})
	// A client with small HTTP/2 receive windows, so transport buffers do not
	// hide the server's own bound.
	p := unencryptedHTTP2()
	small := &http.Client{Transport: &http.Transport{Protocols: p, HTTP2: &http.HTTP2Config{
		MaxReceiveBufferPerConnection: 64 << 10, MaxReceiveBufferPerStream: 64 << 10,
	}}}
	client := personajudgev1connect.NewJudgeServiceClient(small, h.srv.URL, connect.WithGRPC())
	// Cancelling on exit unblocks the handler if an assertion fails early.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stream, err := client.ScoreStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const items = 600
	sent := make(chan error, 1)
	go func() {
		for i := range items {
			if err := stream.Send(&pb.ScoreStreamRequest{Item: prefItemID(fmt.Sprintf("bp-%d", i), i%2)}); err != nil {
				sent <- err
				return
			}
		}
		sent <- stream.CloseRequest()
	}()
	// Wait until the server stops making progress without a reader.
	last := int64(-1)
	for h.fake.Calls() != last {
		last = h.fake.Calls()
		time.Sleep(300 * time.Millisecond)
	}
	if max := int64(2 * (MaxStreamInFlight + 100)); last > max {
		t.Fatalf("server made %d LLM calls without a reader; want at most %d (2 per item, %d items in flight)", last, max, MaxStreamInFlight)
	}
	n := 0
	for {
		_, err := stream.Receive()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	if n != items {
		t.Fatalf("%d results after reading resumed, want %d", n, items)
	}
}

func TestScoreStreamGRPCGo(t *testing.T) {
	h := newHarness(t, fakejudge.ContentPreference("GOOD", 80))
	stream, err := h.grpc.ScoreStream(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := stream.Send(&pb.ScoreStreamRequest{Item: prefItemID(fmt.Sprint(i), 1)}); err != nil {
			t.Fatal(err)
		}
	}
	stream.CloseSend()
	n := 0
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if msg.Result.Status != verdict || msg.Result.Verdict.GetChoice() != 1 {
			t.Fatalf("result %v", msg.Result)
		}
		n++
	}
	if n != 5 {
		t.Fatalf("%d results, want 5", n)
	}
}

func TestRecentIDs(t *testing.T) {
	r := newRecentIDs(3)
	for _, id := range []string{"a", "b", "c"} {
		if !r.add(id) {
			t.Fatalf("%s reported as a duplicate", id)
		}
	}
	if r.add("b") {
		t.Fatal("b within the window was not caught")
	}
	r.add("d") // pushes "a" out
	if !r.add("a") {
		t.Fatal("a, outside the window, was still remembered")
	}
	if r.add("d") || len(r.set) != 3 {
		t.Fatalf("window holds %d ids, want 3", len(r.set))
	}
}
