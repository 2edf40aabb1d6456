package eval

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
)

// runRecorder is a ConsoleService that keeps the runs it is sent.
type runRecorder struct {
	personajudgev1connect.UnimplementedConsoleServiceHandler
	got []*pb.RecordEvalRunRequest
}

func (r *runRecorder) RecordEvalRun(_ context.Context, req *pb.RecordEvalRunRequest) (*pb.RecordEvalRunResponse, error) {
	if req.Name == "refused" {
		return nil, connect.NewError(connect.CodePermissionDenied, nil)
	}
	r.got = append(r.got, req)
	return &pb.RecordEvalRunResponse{RunId: "run-1"}, nil
}

func TestRecordRun(t *testing.T) {
	t.Parallel()
	rec := &runRecorder{}
	mux := http.NewServeMux()
	mux.Handle(personajudgev1connect.NewConsoleServiceHandler(rec))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	cfg := Config{Addr: srv.URL, HTTPClient: srv.Client()}
	id, err := RecordRun(t.Context(), cfg, "nightly", []byte(`{"results":2}`))
	if err != nil || id != "run-1" {
		t.Fatalf("RecordRun = %q, %v", id, err)
	}
	if len(rec.got) != 1 || rec.got[0].Name != "nightly" || rec.got[0].SummaryJson != `{"results":2}` {
		t.Fatalf("the service got %v", rec.got)
	}
	if _, err := RecordRun(t.Context(), cfg, "refused", []byte(`{}`)); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Fatalf("a refusal: err = %v", err)
	}
}
