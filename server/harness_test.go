package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/internal/llmfake"
	"github.com/personajudge/personajudge/judges"
	"github.com/personajudge/personajudge/store"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// harness is the service under test on an in-process HTTP/2 (h2c) server,
// judging through the real openai-go client against an llmfake backend.
type harness struct {
	fake    *llmfake.Server
	svc     *Service
	store   *store.Store
	srv     *httptest.Server
	connect personajudgev1connect.JudgeServiceClient
	json    personajudgev1connect.JudgeServiceClient // Connect protocol, JSON codec
	grpc    pb.JudgeServiceClient
}

type harnessOption func(*clients.ModelConfig)

func newHarness(t testing.TB, b llmfake.Behavior, opts ...harnessOption) *harness {
	t.Helper()
	fake := llmfake.New(b)
	t.Cleanup(fake.Close)
	retries := 2
	mc := clients.ModelConfig{Name: "judge", BaseURL: fake.BaseURL(), MaxConcurrency: 16, Timeout: "5s", MaxRetries: &retries}
	for _, o := range opts {
		o(&mc)
	}
	return newHarnessWith(t, fake, clients.FileConfig{Models: []clients.ModelConfig{mc}})
}

func newHarnessWith(t testing.TB, fake *llmfake.Server, fc clients.FileConfig) *harness {
	t.Helper()
	return buildHarness(t, fake, fc, harnessExtras{})
}

// newCachedHarness is newHarness with the SQLite response cache enabled, as
// `serve` runs.
func newCachedHarness(t testing.TB, b llmfake.Behavior) *harness {
	t.Helper()
	fake := llmfake.New(b)
	t.Cleanup(fake.Close)
	retries := 2
	return buildHarness(t, fake, clients.FileConfig{Models: []clients.ModelConfig{
		{Name: "judge", BaseURL: fake.BaseURL(), MaxConcurrency: 16, Timeout: "5s", MaxRetries: &retries},
	}}, harnessExtras{cache: true})
}

// harnessExtras turns on what `serve` adds around the service.
type harnessExtras struct {
	cache     bool
	gate      *Gate
	maxQueued int
	log       io.Writer
	// db is the store's DSN; "" opens a fresh SQLite file.
	db string
}

func buildHarness(t testing.TB, fake *llmfake.Server, fc clients.FileConfig, x harnessExtras) *harness {
	t.Helper()
	reg, err := clients.NewRegistry(fc)
	if err != nil {
		t.Fatal(err)
	}
	db := x.db
	if db == "" {
		db = filepath.Join(t.TempDir(), "pj.db")
	}
	st, err := store.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	logOut := x.log
	if logOut == nil {
		logOut = io.Discard
	}
	log := slog.New(slog.NewTextHandler(logOut, nil))
	engineOpts := []judges.EngineOption{judges.WithMaxReasks(2), judges.WithCalibrators(st), judges.WithLogger(log)}
	if x.cache {
		engineOpts = append(engineOpts, judges.WithCache(st))
	}
	svcOpts := []ServiceOption{WithLogger(log)}
	if x.maxQueued > 0 {
		svcOpts = append(svcOpts, WithMaxQueued(x.maxQueued))
	}
	svc := NewService(judges.NewEngine(reg, engineOpts...), st, svcOpts...)
	var opts []connect.HandlerOption
	if x.gate != nil {
		opts = append(opts, connect.WithInterceptors(x.gate.Interceptor()))
	}
	srv := httptest.NewUnstartedServer(NewHandler(svc, opts...))
	srv.Config = NewHTTPServer(srv.Config.Handler)
	srv.Start()
	t.Cleanup(srv.Close)

	h2c := &http.Client{Transport: &http.Transport{Protocols: unencryptedHTTP2()}}
	conn, err := grpc.NewClient(strings.TrimPrefix(srv.URL, "http://"), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &harness{
		fake:    fake,
		svc:     svc,
		store:   st,
		srv:     srv,
		connect: personajudgev1connect.NewJudgeServiceClient(h2c, srv.URL, connect.WithGRPC()),
		json:    personajudgev1connect.NewJudgeServiceClient(http.DefaultClient, srv.URL, connect.WithProtoJSON()),
		grpc:    pb.NewJudgeServiceClient(conn),
	}
}

func unencryptedHTTP2() *http.Protocols {
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	return p
}

func (h *harness) judgments(t testing.TB) int {
	t.Helper()
	var n int
	if err := h.store.DB().QueryRow("SELECT count(*) FROM judgments").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// prefItem is a preference item whose better response (for this persona)
// carries the marker GOOD; better says which canonical option holds it.
func prefItem(better int) *pb.ScoreRequest {
	a, b := "Take the bus; it is cheap. GOOD", "Hire a limousine with champagne."
	if better == 1 {
		a, b = b, a
	}
	return &pb.ScoreRequest{
		ItemId: "item-1",
		Task: &pb.ScoreRequest_Preference{Preference: &pb.PersonalizedPreferenceTask{
			Persona:   "A frugal graduate student who cycles everywhere.",
			Query:     "How should I get to the airport?",
			ResponseA: a,
			ResponseB: b,
		}},
	}
}
