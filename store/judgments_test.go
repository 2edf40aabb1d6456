package store

import (
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func sample(id string) (*pb.ScoreRequest, *pb.ScoreResponse) {
	req := &pb.ScoreRequest{ItemId: "item-" + id, Task: &pb.ScoreRequest_Preference{Preference: &pb.PersonalizedPreferenceTask{
		Persona: "a retired sailor", Query: "q", ResponseA: "a", ResponseB: "b",
	}}}
	resp := &pb.ScoreResponse{
		ItemId: "item-" + id, JudgmentId: id, Status: pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT,
		Verdict: &pb.Verdict{Choice: proto.Int32(1)}, JudgeProfile: "preference/m/pref-v1/cyclic",
		VerbalCertainty: 0.8, PositionConsistency: 1, CreatedAt: timestamppb.New(time.Unix(1700000000, 0)),
		Votes: []*pb.Vote{{Model: "m", ShownOrder: []int32{1, 0}, RawAnswer: `{"choice":"A"}`}},
	}
	return req, resp
}

func TestSaveAndGetJudgment(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		ctx := t.Context()
		req, resp := sample("j1")
		if err := s.SaveJudgment(ctx, "preference", req, resp); err != nil {
			t.Fatal(err)
		}
		gotReq, gotResp, err := s.GetJudgment(ctx, "j1")
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(gotReq, req) || !proto.Equal(gotResp, resp) {
			t.Fatalf("round trip changed the judgment:\n got %v\nwant %v", gotResp, resp)
		}
		if _, _, err := s.GetJudgment(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown id: err = %v, want ErrNotFound", err)
		}
		// The same id twice is refused, never silently overwritten.
		if err := s.SaveJudgment(ctx, "preference", req, resp); err == nil {
			t.Fatal("duplicate judgment id was accepted")
		}
	})
}

func TestReopenKeepsJudgmentsAndSchema(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "pj.db")
	ctx := t.Context()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	req, resp := sample("j2")
	if err := s.SaveJudgment(ctx, "preference", req, resp); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := Open(ctx, path) // migrations must be idempotent on reopen
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, _, err := s2.GetJudgment(ctx, "j2"); err != nil {
		t.Fatalf("judgment lost across reopen: %v", err)
	}
	if res, err := s2.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity_check = %q, %v", res, err)
	}
	var mode string
	s2.DB().QueryRow("PRAGMA journal_mode").Scan(&mode)
	if mode != "wal" {
		t.Fatalf("journal_mode = %q, want wal", mode)
	}
}

func TestConcurrentSaves(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		ctx := t.Context()
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for i := range 64 {
			wg.Go(func() {
				req, resp := sample("c" + string(rune('A'+i%26)) + string(rune('a'+i/26)))
				if err := s.SaveJudgment(ctx, "preference", req, resp); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent save failed: %v", err)
		}
		var n int
		s.DB().QueryRow("SELECT count(*) FROM judgments").Scan(&n)
		if n != 64 {
			t.Fatalf("stored %d judgments, want 64", n)
		}
	})
}
