package healthcheck

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"connectrpc.com/grpchealth"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	checker := grpchealth.NewStaticChecker("personajudge.v1.JudgeService")
	mux := http.NewServeMux()
	mux.Handle(grpchealth.NewHandler(checker))
	srv := httptest.NewUnstartedServer(mux)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)

	if err := Check(t.Context(), srv.Client(), srv.URL, ""); err != nil {
		t.Fatalf("serving server: %v", err)
	}
	if err := Check(t.Context(), srv.Client(), srv.URL, "personajudge.v1.JudgeService"); err != nil {
		t.Fatalf("serving service: %v", err)
	}
	checker.SetStatus("personajudge.v1.JudgeService", grpchealth.StatusNotServing)
	if err := Check(t.Context(), srv.Client(), srv.URL, "personajudge.v1.JudgeService"); err == nil {
		t.Fatal("a NOT_SERVING service passed")
	}
	if err := Check(t.Context(), srv.Client(), srv.URL, "no.such.Service"); err == nil {
		t.Fatal("an unknown service passed")
	}
	srv.Close()
	if err := Check(t.Context(), srv.Client(), srv.URL, ""); err == nil {
		t.Fatal("a closed server passed")
	}
}
