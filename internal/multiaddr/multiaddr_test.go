package multiaddr

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
)

func TestParse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"http://a:1", []string{"http://a:1"}, false},
		{" http://a:1/ , https://b:2,,http://a:1", []string{"http://a:1", "https://b:2"}, false},
		{"", nil, true},
		{" , ", nil, true},
		{"a:1", nil, true},
		{"http://a:1,ftp://b", nil, true},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if (err != nil) != c.wantErr || !slices.Equal(got, c.want) {
			t.Errorf("Parse(%q) = %v, %v; want %v, error %v", c.in, got, err, c.want, c.wantErr)
		}
	}
}

func TestDefaultReadsTheEnvironment(t *testing.T) {
	t.Setenv(EnvVar, "http://a:1,http://b:2")
	if got := Default("http://x"); got != "http://a:1,http://b:2" {
		t.Fatalf("Default = %q", got)
	}
	t.Setenv(EnvVar, "")
	if got := Default("http://x"); got != "http://x" {
		t.Fatalf("Default without the variable = %q", got)
	}
}

// countingJudge answers Score with its own name.
type countingJudge struct {
	personajudgev1connect.UnimplementedJudgeServiceHandler
	name  string
	calls atomic.Int64
}

func (j *countingJudge) Score(context.Context, *pb.ScoreRequest) (*pb.ScoreResponse, error) {
	j.calls.Add(1)
	return &pb.ScoreResponse{JudgmentId: j.name}, nil
}

func serve(t *testing.T, j *countingJudge) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(personajudgev1connect.NewJudgeServiceHandler(j))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// Calls alternate between live replicas; once one is closed, every call
// lands on the other and none fails.
func TestSpreadFailsOverFromAClosedReplica(t *testing.T) {
	t.Parallel()
	a, b := &countingJudge{name: "a"}, &countingJudge{name: "b"}
	srvA, srvB := serve(t, a), serve(t, b)
	s := NewSpread(
		personajudgev1connect.NewJudgeServiceClient(srvA.Client(), srvA.URL),
		personajudgev1connect.NewJudgeServiceClient(srvB.Client(), srvB.URL),
	)
	for range 10 {
		if _, err := s.Score(t.Context(), &pb.ScoreRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	if a.calls.Load() != 5 || b.calls.Load() != 5 {
		t.Fatalf("calls a=%d b=%d, want 5 each", a.calls.Load(), b.calls.Load())
	}
	srvA.Close()
	for range 10 {
		resp, err := s.Score(t.Context(), &pb.ScoreRequest{})
		if err != nil {
			t.Fatalf("a call failed with one replica alive: %v", err)
		}
		if resp.JudgmentId != "b" {
			t.Fatalf("answered by %q", resp.JudgmentId)
		}
	}
	if b.calls.Load() != 15 {
		t.Fatalf("calls on b = %d, want 15", b.calls.Load())
	}
}

// refusing answers every call with a fixed code.
type refusing struct {
	code  connect.Code
	calls atomic.Int64
}

func (r *refusing) Score(context.Context, *pb.ScoreRequest) (*pb.ScoreResponse, error) {
	r.calls.Add(1)
	return nil, connect.NewError(r.code, errors.New("no"))
}

// Only Unavailable moves a call on; an answer such as InvalidArgument is the
// call's answer, and when every replica is unavailable the last error is.
func TestSpreadMovesOnlyUnavailable(t *testing.T) {
	t.Parallel()
	bad, other := &refusing{code: connect.CodeInvalidArgument}, &refusing{code: connect.CodeUnavailable}
	_, err := NewSpread(bad, other).Score(t.Context(), &pb.ScoreRequest{})
	if connect.CodeOf(err) != connect.CodeInvalidArgument || other.calls.Load() != 0 {
		t.Fatalf("err %v, calls on the other %d; want InvalidArgument and 0", err, other.calls.Load())
	}
	down1, down2 := &refusing{code: connect.CodeUnavailable}, &refusing{code: connect.CodeUnavailable}
	_, err = NewSpread(down1, down2).Score(t.Context(), &pb.ScoreRequest{})
	if connect.CodeOf(err) != connect.CodeUnavailable || down1.calls.Load() != 1 || down2.calls.Load() != 1 {
		t.Fatalf("err %v, calls %d and %d; want Unavailable after one try each", err, down1.calls.Load(), down2.calls.Load())
	}
}
