package store

import (
	"errors"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

func keyed(key, model string, cert float64, correct bool) *pb.RawOutcome {
	return &pb.RawOutcome{Profile: "preference/" + model + "/v1/cyclic", Certainty: cert, Correct: correct, ItemKey: key, Model: model, Choice: proto.Int32(1)}
}

func rawCount(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow(`SELECT count(*) FROM raw_outcomes`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestKeyedOutcomes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		ctx := t.Context()
		first := []*pb.RawOutcome{keyed("k2", "cheap", 90, true), keyed("k1", "cheap", 60, false), keyed("k1", "strong", 80, true), {Profile: "p", Certainty: 50}}
		if _, err := s.ImportOutcomes(ctx, first); err != nil {
			t.Fatal(err)
		}
		// The same records again are no collision; the keyed rows stay one each.
		if _, err := s.ImportOutcomes(ctx, first[:2]); err != nil {
			t.Fatalf("repeated import: %v", err)
		}
		got, err := s.KeyedOutcomes(ctx, "cheap")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Key != "k1" || got[0].Correct || got[1].Certainty != 90 || got[1].Choice == nil || *got[1].Choice != 1 {
			t.Fatalf("cheap records = %+v", got)
		}
		before := rawCount(t, s)
		// A different record under a stored key: refused, nothing written.
		_, err = s.ImportOutcomes(ctx, []*pb.RawOutcome{keyed("k3", "cheap", 70, true), keyed("k1", "cheap", 61, false)})
		var ce *KeyCollisionError
		if !errors.As(err, &ce) || ce.Index != 1 || ce.Key != "k1" {
			t.Fatalf("collision error = %v", err)
		}
		if n := rawCount(t, s); n != before {
			t.Errorf("raw outcomes %d after a refused import, want %d", n, before)
		}
		if got, _ := s.KeyedOutcomes(ctx, "cheap"); len(got) != 2 {
			t.Errorf("refused import wrote keyed rows: %+v", got)
		}
	})
}

func TestCascadePolicies(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		ctx := t.Context()
		if _, err := s.CascadePolicy(ctx, "a > b"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unfitted cascade: %v", err)
		}
		for _, p := range []string{`{"v":1}`, `{"v":2}`} {
			if err := s.SaveCascadePolicy(ctx, "a > b", []byte(p)); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.CascadePolicy(ctx, "a > b")
		if err != nil || string(got) != `{"v":2}` {
			t.Fatalf("policy = %s, %v; want the latest fit", got, err)
		}
	})
}
