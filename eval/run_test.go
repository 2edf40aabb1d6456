package eval

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"google.golang.org/protobuf/proto"
)

// stubJudge answers every streamed item at once with a verdict for choice
// 1 costing two LLM calls, and records what it is sent: Run's loop, resume
// and outcome recording are tested here without an engine or a model.
type stubJudge struct {
	personajudgev1connect.UnimplementedJudgeServiceHandler
	// failAfter, when positive, breaks the stream after that many answers.
	failAfter int
	// judgeErrors answers every item with JUDGE_ERROR, as a service whose
	// backend is down does.
	judgeErrors bool

	mu       sync.Mutex
	seen     map[string]int // item_id -> times received
	orders   map[pb.OrderPolicy]int
	outcomes []*pb.Outcome
	batches  int
}

func (j *stubJudge) ScoreStream(_ context.Context, s *connect.BidiStream[pb.ScoreStreamRequest, pb.ScoreStreamResponse]) error {
	for answered := 0; ; answered++ {
		if j.failAfter > 0 && answered == j.failAfter {
			return connect.NewError(connect.CodeUnavailable, errors.New("backend went away"))
		}
		req, err := s.Receive()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		item := req.GetItem()
		j.mu.Lock()
		j.seen[item.ItemId]++
		j.orders[item.GetJudge().GetOrderPolicy()]++
		j.mu.Unlock()
		result := &pb.ScoreResponse{
			ItemId: item.ItemId, JudgmentId: "j-" + item.ItemId, Status: pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT,
			Verdict: &pb.Verdict{Choice: proto.Int32(1)}, PositionConsistency: 1, Usage: &pb.Usage{LlmCalls: 2},
		}
		if j.judgeErrors {
			result = &pb.ScoreResponse{ItemId: item.ItemId, Status: pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR,
				Reason: "unavailable: no judge model could be reached; retry later"}
		}
		err = s.Send(&pb.ScoreStreamResponse{Result: result})
		if err != nil {
			return err
		}
	}
}

// stubCalibration records the outcomes it is sent; all are new.
type stubCalibration struct {
	personajudgev1connect.UnimplementedCalibrationServiceHandler
	j *stubJudge
}

func (c stubCalibration) RecordOutcomes(_ context.Context, req *pb.RecordOutcomesRequest) (*pb.RecordOutcomesResponse, error) {
	c.j.mu.Lock()
	defer c.j.mu.Unlock()
	c.j.outcomes = append(c.j.outcomes, req.Outcomes...)
	c.j.batches++
	return &pb.RecordOutcomesResponse{Recorded: int32(len(req.Outcomes))}, nil
}

// startStub serves j over cleartext HTTP/2 and returns a Config aimed at
// it, over a fresh dataset of five items: a, b and c labelled 1 (right),
// d labelled 2 (wrong), e unlabelled.
func startStub(t *testing.T, j *stubJudge) Config {
	t.Helper()
	j.seen, j.orders = map[string]int{}, map[pb.OrderPolicy]int{}
	mux := http.NewServeMux()
	mux.Handle(personajudgev1connect.NewJudgeServiceHandler(j))
	mux.Handle(personajudgev1connect.NewCalibrationServiceHandler(stubCalibration{j: j}))
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetHTTP1(true)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	t.Cleanup(srv.Close)
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	hc := &http.Client{Transport: &http.Transport{Protocols: p}}
	t.Cleanup(hc.CloseIdleConnections)

	dir := t.TempDir()
	dataset := filepath.Join(dir, "items.jsonl")
	lines := `{"request":{"itemId":"a"},"label":{"choice":1}}
{"request":{"itemId":"b"},"label":{"choice":1}}

{"request":{"itemId":"c"},"label":{"choice":1}}
{"request":{"itemId":"d"},"label":{"choice":2}}
{"request":{"itemId":"e"}}
`
	if err := os.WriteFile(dataset, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	return Config{
		Dataset: dataset, Results: filepath.Join(dir, "results.jsonl"),
		Addr: srv.URL, HTTPClient: hc,
		InFlight: 2,
	}
}

// resultIDs reads the results file back, item_ids in order.
func resultIDs(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ids []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		r, _, err := ParseResult(sc.Bytes())
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		ids = append(ids, r.ItemId)
	}
	return ids
}

// Every item is sent once and its result written once; a second run over
// the same results file sends nothing and reports on the whole dataset.
func TestRunJudgesEachItemOnceAndResumes(t *testing.T) {
	t.Parallel()
	j := &stubJudge{}
	cfg := startStub(t, j)
	cfg.OrderPolicy = pb.OrderPolicy_ORDER_POLICY_SINGLE
	var report bytes.Buffer
	cfg.Report = &report
	s, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatalf("%v\n%s", err, report.String())
	}
	if s.Judged != 5 || s.Results != 5 || s.Labelled != 4 || s.LabelledVerdicts != 4 || s.Correct != 3 || s.LLMCalls != 10 {
		t.Fatalf("judged %d, results %d, labelled %d, labelled verdicts %d, correct %d, LLM calls %d; want 5, 5, 4, 4, 3, 10",
			s.Judged, s.Results, s.Labelled, s.LabelledVerdicts, s.Correct, s.LLMCalls)
	}
	if got := len(resultIDs(t, cfg.Results)); got != 5 {
		t.Fatalf("%d result lines, want 5", got)
	}
	j.mu.Lock()
	singles := j.orders[pb.OrderPolicy_ORDER_POLICY_SINGLE]
	j.mu.Unlock()
	if singles != 5 {
		t.Fatalf("%d items sent with order policy SINGLE, want all 5", singles)
	}
	for _, want := range []string{"eval summary: 5 results in " + cfg.Results, "accuracy                 0.7500 [0.2500, 1.0000] n = 4", "LLM calls       10"} {
		if !strings.Contains(report.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, report.String())
		}
	}
	if strings.Contains(report.String(), "simulator") {
		t.Errorf("report mentions a simulator without SimulatorCalls:\n%s", report.String())
	}

	cfg.Report = io.Discard
	s, err = Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s.Judged != 0 || s.Skipped != 5 || s.Results != 5 || s.Correct != 3 || s.LLMCalls != 0 {
		t.Fatalf("resume: judged %d, skipped %d, results %d, correct %d, LLM calls %d; want 0, 5, 5, 3, 0",
			s.Judged, s.Skipped, s.Results, s.Correct, s.LLMCalls)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for id, n := range j.seen {
		if n != 1 {
			t.Errorf("item %s sent %d times", id, n)
		}
	}
}

// A broken stream keeps the results that arrived and says how to resume;
// resuming sends only the rest.
func TestRunResumesAfterABrokenStream(t *testing.T) {
	t.Parallel()
	j := &stubJudge{failAfter: 2}
	cfg := startStub(t, j)
	cfg.InFlight = 1 // the break then lands after exactly two results
	s, err := Run(t.Context(), cfg)
	if err == nil || !strings.Contains(err.Error(), "run the same command again to resume") {
		t.Fatalf("err %v, want one saying how to resume", err)
	}
	if s == nil || s.Judged != 2 || len(resultIDs(t, cfg.Results)) != 2 {
		t.Fatalf("summary %+v; want 2 judged and 2 result lines", s)
	}
	j.failAfter = 0
	if s, err = Run(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	if s.Judged != 3 || s.Skipped != 2 || s.Results != 5 {
		t.Fatalf("resume: judged %d, skipped %d, results %d; want 3, 2, 5", s.Judged, s.Skipped, s.Results)
	}
	if ids := resultIDs(t, cfg.Results); len(ids) != 5 {
		t.Fatalf("result lines %v, want 5", ids)
	}
}

// RecordOutcomes sends the labels of labelled verdicts, in batches, and
// the summary counts what the service recorded.
func TestRunRecordsOutcomes(t *testing.T) {
	t.Parallel()
	j := &stubJudge{}
	cfg := startStub(t, j)
	cfg.RecordOutcomes, cfg.OutcomesBatch = true, 3
	var report bytes.Buffer
	cfg.Report = &report
	s, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.outcomes) != 4 || j.batches != 2 || s.Recorded != 4 {
		t.Fatalf("%d outcomes in %d calls, %d recorded; want 4 in 2, 4", len(j.outcomes), j.batches, s.Recorded)
	}
	for _, o := range j.outcomes {
		if o.JudgmentId == "j-e" {
			t.Error("the unlabelled item's judgment was sent as an outcome")
		}
	}
	if !strings.Contains(report.String(), "outcomes        4 recorded, 0 unchanged") {
		t.Errorf("report:\n%s", report.String())
	}
}

func TestRunNeedsItsInputs(t *testing.T) {
	t.Parallel()
	cfg := Config{Dataset: "in.jsonl", Results: "out.jsonl", Addr: "http://127.0.0.1:1", HTTPClient: http.DefaultClient}
	cfg.HTTPClient = nil
	if _, err := Run(t.Context(), cfg); err == nil || !strings.Contains(err.Error(), "HTTPClient") {
		t.Fatalf("err %v, want one naming HTTPClient", err)
	}
}

// Against a service whose every answer is a judge error, the run stops
// after StopAfterErrors of them in a row, says why, and writes no more.
func TestRunStopsOnConsecutiveJudgeErrors(t *testing.T) {
	t.Parallel()
	j := &stubJudge{judgeErrors: true}
	cfg := startStub(t, j)
	cfg.StopAfterErrors = 2
	cfg.InFlight = 1
	var report bytes.Buffer
	cfg.Report = &report
	s, err := Run(t.Context(), cfg)
	if !errors.Is(err, ErrTooManyErrors) || !strings.Contains(err.Error(), "no judge model could be reached") || !strings.Contains(err.Error(), "--retry-errors") {
		t.Fatalf("err = %v, want ErrTooManyErrors with the reason and the way on", err)
	}
	if s.Judged != 2 {
		t.Fatalf("%d items judged, want the run to stop at the second error", s.Judged)
	}
	if !strings.Contains(report.String(), "2  unavailable: no judge model could be reached") {
		t.Fatalf("the summary does not list the failure reason:\n%s", report.String())
	}
}
