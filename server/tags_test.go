package server

import (
	"fmt"
	"strings"
	"testing"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/internal/fakejudge"
)

// Tags come back on the response and on the stored judgment, and leave the
// judgment and its cache key alone: the same item under other tags is a
// cache hit.
func TestTagsEchoedStoredAndOutsideTheCacheKey(t *testing.T) {
	t.Parallel()
	h := newCachedHarness(t, fakejudge.ContentPreference("GOOD", 80))
	req := prefItem(0)
	req.Tags = map[string]string{"track": "persona-eval", "tier": "hard"}
	resp, err := h.connect.Score(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Tags["track"] != "persona-eval" || resp.Tags["tier"] != "hard" || len(resp.Tags) != 2 {
		t.Fatalf("tags %v not echoed", resp.Tags)
	}
	got, err := h.connect.GetJudgment(t.Context(), &pb.GetJudgmentRequest{JudgmentId: resp.JudgmentId})
	if err != nil {
		t.Fatal(err)
	}
	if got.Judgment.Tags["tier"] != "hard" || got.Request.Tags["track"] != "persona-eval" {
		t.Fatalf("stored judgment tags %v, request tags %v", got.Judgment.Tags, got.Request.Tags)
	}
	calls := h.fake.Calls()
	req.Tags = map[string]string{"tier": "easy"}
	again, err := h.connect.Score(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if h.fake.Calls() != calls || again.Usage.CacheHits != 2 || again.Tags["tier"] != "easy" {
		t.Fatalf("other tags cost %d calls (cache hits %d), tags %v", h.fake.Calls()-calls, again.Usage.CacheHits, again.Tags)
	}
}

func TestTagsBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentPreference("GOOD", 80))
	many := map[string]string{}
	for i := range MaxTags + 1 {
		many[fmt.Sprintf("k%d", i)] = "v"
	}
	for _, tt := range []struct {
		name  string
		tags  map[string]string
		field string
	}{
		{"too many", many, "tags"},
		{"empty key", map[string]string{"": "v"}, `tags[""]`},
		{"upper-case key", map[string]string{"Track": "v"}, `tags["Track"]`},
		{"key too long", map[string]string{strings.Repeat("k", MaxTagKeyBytes+1): "v"}, "tags["},
		{"value too long", map[string]string{"track": strings.Repeat("v", MaxTagValueBytes+1)}, `tags["track"]`},
	} {
		req := prefItem(0)
		req.Tags = tt.tags
		_, err := h.connect.Score(t.Context(), req)
		assertCode(t, err, connect.CodeInvalidArgument, tt.field)
	}
	if n := h.judgments(t); n != 0 {
		t.Fatalf("%d judgments stored for bad tags", n)
	}
	if h.fake.Calls() != 0 {
		t.Fatalf("bad tags reached the judge (%d calls)", h.fake.Calls())
	}
}
