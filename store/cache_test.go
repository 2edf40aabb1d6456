package store

import (
	"testing"

	"github.com/personajudge/personajudge/clients"
)

func TestResponseCache(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		ctx := t.Context()
		if _, ok, err := s.GetResponse(ctx, "k"); ok || err != nil {
			t.Fatalf("empty cache: ok=%v err=%v", ok, err)
		}
		want := clients.CachedResponse{Content: `{"choice":"A"}`, PromptTokens: 10, CompletionTokens: 3}
		if err := s.PutResponse(ctx, "k", want); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.GetResponse(ctx, "k")
		if !ok || err != nil || got != want {
			t.Fatalf("got %+v %v %v, want %+v", got, ok, err, want)
		}
		newer := clients.CachedResponse{Content: `{"choice":"B"}`}
		if err := s.PutResponse(ctx, "k", newer); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := s.GetResponse(ctx, "k"); got != newer {
			t.Fatalf("refresh did not replace: %+v", got)
		}
	})
}
