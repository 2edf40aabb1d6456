package server

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// bearer adds an API key to every request.
type bearer struct {
	key  string
	next http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if b.key != "" {
		r.Header.Set("Authorization", "Bearer "+b.key)
	}
	return b.next.RoundTrip(r)
}

func keyedClients(h *harness, key string) (personajudgev1connect.JudgeServiceClient, personajudgev1connect.CalibrationServiceClient) {
	hc := &http.Client{Transport: bearer{key, &http.Transport{Protocols: unencryptedHTTP2()}}}
	return personajudgev1connect.NewJudgeServiceClient(hc, h.srv.URL, connect.WithGRPC()),
		personajudgev1connect.NewCalibrationServiceClient(hc, h.srv.URL, connect.WithGRPC())
}

const (
	readKey  = "pj-read-0123456789"
	scoreKey = "pj-score-0123456789"
	adminKey = "pj-admin-0123456789"
)

func gatedHarness(t *testing.T, b llmfake.Behavior, limits Limits, keys ...KeyConfig) (*harness, *bytes.Buffer) {
	t.Helper()
	if len(keys) == 0 {
		keys = []KeyConfig{
			{Name: "reader", SHA256: HashKey(readKey), Role: RoleRead},
			{Name: "scorer", SHA256: HashKey(scoreKey), Role: RoleScore},
			{Name: "admin", SHA256: HashKey(adminKey), Role: RoleAdmin},
		}
	}
	gate, err := NewGate(keys, limits)
	if err != nil {
		t.Fatal(err)
	}
	fake := llmfake.New(b)
	t.Cleanup(fake.Close)
	logs := &bytes.Buffer{}
	retries := 0
	h := buildHarness(t, fake, clients.FileConfig{Models: []clients.ModelConfig{
		{Name: "judge", BaseURL: fake.BaseURL(), MaxConcurrency: 16, Timeout: "5s", MaxRetries: &retries},
	}}, harnessExtras{gate: gate, log: &syncWriter{w: logs}})
	return h, logs
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func TestAuthRolesAndCodes(t *testing.T) {
	h, logs := gatedHarness(t, fakejudge.ContentPreference("GOOD", 80), DefaultLimits())
	ctx := t.Context()
	score := func(key string) error {
		j, _ := keyedClients(h, key)
		_, err := j.Score(ctx, prefItem(0))
		return err
	}
	record := func(key string) error {
		_, c := keyedClients(h, key)
		_, err := c.RecordOutcomes(ctx, &pb.RecordOutcomesRequest{})
		return err
	}
	report := func(key string) error {
		_, c := keyedClients(h, key)
		_, err := c.GetCalibrationReport(ctx, &pb.GetCalibrationReportRequest{Profile: "none"})
		return err
	}
	recordRun := func(key string) error {
		hc := &http.Client{Transport: bearer{key, &http.Transport{Protocols: unencryptedHTTP2()}}}
		_, err := personajudgev1connect.NewBenchmarkServiceClient(hc, h.srv.URL).RecordRun(ctx, &pb.RecordRunRequest{})
		return err
	}
	rollUp := func(key string) error {
		hc := &http.Client{Transport: bearer{key, &http.Transport{Protocols: unencryptedHTTP2()}}}
		_, err := personajudgev1connect.NewBenchmarkServiceClient(hc, h.srv.URL).RollUp(ctx, &pb.RollUpRequest{RunId: "none"})
		return err
	}
	fitCascade := func(key string) error {
		hc := &http.Client{Transport: bearer{key, &http.Transport{Protocols: unencryptedHTTP2()}}}
		c := personajudgev1connect.NewCascadeServiceClient(hc, h.srv.URL, connect.WithGRPC())
		_, err := c.FitCascade(ctx, &pb.FitCascadeRequest{})
		return err
	}
	tests := []struct {
		name string
		call func(string) error
		key  string
		want connect.Code // 0: any code other than the auth ones
	}{
		{"no key", score, "", connect.CodeUnauthenticated},
		{"unknown key", score, "pj-wrong", connect.CodeUnauthenticated},
		{"read key may not score", score, readKey, connect.CodePermissionDenied},
		{"read key may not record outcomes", record, readKey, connect.CodePermissionDenied},
		{"score key may not record outcomes", record, scoreKey, connect.CodePermissionDenied},
		{"score key scores", score, scoreKey, 0},
		{"admin key scores", score, adminKey, 0},
		{"read key reads reports", report, readKey, 0},
		{"admin key records outcomes", record, adminKey, 0},
		{"read key may not record benchmark runs", recordRun, readKey, connect.CodePermissionDenied},
		{"score key records benchmark runs", recordRun, scoreKey, 0},
		{"read key rolls up benchmark runs", rollUp, readKey, 0},
		{"score key may not fit a cascade", fitCascade, scoreKey, connect.CodePermissionDenied},
		{"admin key fits a cascade", fitCascade, adminKey, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(tt.key)
			code := connect.CodeOf(err)
			if tt.want != 0 && code != tt.want {
				t.Fatalf("code %v (%v), want %v", code, err, tt.want)
			}
			if tt.want == 0 && (code == connect.CodeUnauthenticated || code == connect.CodePermissionDenied) {
				t.Fatalf("refused: %v", err)
			}
		})
	}
	// The stream is gated as well.
	j, _ := keyedClients(h, readKey)
	stream, err := j.ScoreStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stream.Send(&pb.ScoreStreamRequest{Item: prefItemID("s1", 0)})
	stream.CloseRequest()
	if _, err := stream.Receive(); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Fatalf("read key on ScoreStream: %v, want PermissionDenied", err)
	}
	// Health stays open without a key.
	res, err := http.Post(h.srv.URL+"/grpc.health.v1.Health/Check", "application/json", strings.NewReader(`{}`))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("health without a key: %v %v", res.StatusCode, err)
	}
	res.Body.Close()
	for _, k := range []string{readKey, scoreKey, adminKey, "pj-wrong"} {
		if strings.Contains(logs.String(), k) {
			t.Fatalf("a key appears in the logs")
		}
	}
}

func TestGateConfigErrors(t *testing.T) {
	for _, keys := range [][]KeyConfig{
		{{Name: "a", SHA256: "abc", Role: RoleRead}},
		{{Name: "a", SHA256: HashKey("k"), Role: "owner"}},
		{{Name: "a", SHA256: HashKey("k"), Role: RoleRead}, {Name: "b", SHA256: HashKey("k"), Role: RoleAdmin}},
	} {
		if _, err := NewGate(keys, DefaultLimits()); err == nil {
			t.Fatalf("NewGate(%v) accepted a bad configuration", keys)
		}
	}
}

// Every procedure of every service is placed in a role, so a new RPC
// cannot slip through the gate unplaced.
func TestEveryProcedureHasARole(t *testing.T) {
	files := []protoreflect.FileDescriptor{pb.File_personajudge_v1_judge_proto, pb.File_personajudge_v1_calibration_proto, pb.File_personajudge_v1_console_proto, pb.File_personajudge_v1_metrics_proto, pb.File_personajudge_v1_personagym_proto, pb.File_personajudge_v1_cascade_proto}
	n := 0
	for _, f := range files {
		for i := range f.Services().Len() {
			sd := f.Services().Get(i)
			for j := range sd.Methods().Len() {
				p := "/" + string(sd.FullName()) + "/" + string(sd.Methods().Get(j).Name())
				if _, ok := procedureRoles[p]; !ok {
					t.Errorf("%s has no role", p)
				}
				n++
			}
		}
	}
	if n != len(procedureRoles) {
		t.Errorf("%d procedures in the contract, %d placed", n, len(procedureRoles))
	}
}

func assertOverloaded(t *testing.T, err error) {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != connect.CodeResourceExhausted {
		t.Fatalf("err = %v, want ResourceExhausted", err)
	}
	hint := false
	for _, d := range ce.Details() {
		if v, derr := d.Value(); derr == nil {
			if ri, ok := v.(*errdetails.RetryInfo); ok && ri.RetryDelay.AsDuration() > 0 {
				hint = true
			}
		}
	}
	if !hint || ce.Meta().Get("Retry-After") == "" {
		t.Fatalf("no retry hint: details %v, Retry-After %q", ce.Details(), ce.Meta().Get("Retry-After"))
	}
}

// slowJudge holds every call until released, so concurrency is exact.
func slowJudge(release <-chan struct{}) llmfake.Behavior {
	content := fakejudge.ContentPreference("GOOD", 80)
	return func(r *llmfake.Request, n int64) llmfake.Reply {
		<-release
		return content(r, n)
	}
}

func TestPerKeyConcurrencyAndRate(t *testing.T) {
	release := make(chan struct{})
	h, _ := gatedHarness(t, slowJudge(release), Limits{MaxConcurrent: 1, RequestsPerSecond: 1000},
		KeyConfig{Name: "one", SHA256: HashKey(scoreKey), Role: RoleScore},
		KeyConfig{Name: "slow-rate", SHA256: HashKey(adminKey), Role: RoleAdmin, RequestsPerSecond: 0.001, MaxConcurrent: 10})
	ctx := t.Context()
	j, _ := keyedClients(h, scoreKey)
	first := make(chan error, 1)
	go func() {
		_, err := j.Score(ctx, prefItem(0))
		first <- err
	}()
	// Wait until the first call holds the key's only slot (it reached the fake).
	if !h.fake.WaitCalls(ctx, 1) {
		t.Fatal("the first call never reached the backend")
	}
	_, err := j.Score(ctx, prefItem(1))
	assertOverloaded(t, err)
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("the admitted call failed: %v", err)
	}
	// Rate: the first call passes on the burst, the next is refused at once.
	a, _ := keyedClients(h, adminKey)
	if _, err := a.GetJudgment(ctx, &pb.GetJudgmentRequest{JudgmentId: "x"}); connect.CodeOf(err) != connect.CodeNotFound {
		t.Fatalf("first call: %v, want NotFound", err)
	}
	_, err = a.GetJudgment(ctx, &pb.GetJudgmentRequest{JudgmentId: "x"})
	assertOverloaded(t, err)
}

func TestGlobalQueueBound(t *testing.T) {
	release := make(chan struct{})
	fake := llmfake.New(slowJudge(release))
	t.Cleanup(fake.Close)
	zero := 0
	h := buildHarness(t, fake, clients.FileConfig{Models: []clients.ModelConfig{
		{Name: "judge", BaseURL: fake.BaseURL(), MaxConcurrency: 16, Timeout: "5s", MaxRetries: &zero},
	}}, harnessExtras{maxQueued: 2})
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { _, errs[i] = h.connect.Score(ctx, prefItem(i%2)) })
	}
	if !h.fake.WaitCalls(ctx, 4) { // both admitted items are at the backend
		t.Fatal("the admitted items never reached the backend")
	}
	_, err := h.connect.Score(ctx, prefItem(0))
	assertOverloaded(t, err)
	// A PersonaScore on a busy server is refused too.
	items := make([]*pb.PersonaScoreItem, 3)
	for i := range items {
		items[i] = &pb.PersonaScoreItem{Task: pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_EXPECTED_ACTION, Setting: "s", Question: "q", Answer: "a"}
	}
	_, err = h.connect.PersonaScore(ctx, &pb.PersonaScoreRequest{Persona: "p", Items: items})
	assertOverloaded(t, err)
	close(release)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("admitted call failed: %v", err)
		}
	}
	// Once idle, a PersonaScore larger than the whole bound flows through it.
	if _, err := h.connect.PersonaScore(ctx, &pb.PersonaScoreRequest{Persona: "p", Items: items}); err != nil {
		t.Fatalf("3 items against a bound of 2 on an idle server: %v", err)
	}
	// Recovered: the next call goes through.
	if _, err := h.connect.Score(ctx, prefItem(1)); err != nil {
		t.Fatalf("after the load dropped: %v", err)
	}
}
