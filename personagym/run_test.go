package personagym

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/internal/llmfake"
	"google.golang.org/protobuf/proto"
)

// stubJudge scores an adherence item by the "SCORE=N" marker in its
// answer ("SCORE=?" is a judge error), and counts what it is sent, so
// exactly-once judging is checked without an engine. The service's own
// adherence judging is tested in server and cmd/personajudge.
type stubJudge struct {
	personajudgev1connect.UnimplementedJudgeServiceHandler
	mu       sync.Mutex
	seen     map[string]int
	examples int // items that came with five score examples
	stopAt   int // break the stream after this many answers in total (0: never)
	answered int
}

var reMarker = regexp.MustCompile(`SCORE=([1-5?])`)

func (j *stubJudge) ScoreStream(_ context.Context, s *connect.BidiStream[pb.ScoreStreamRequest, pb.ScoreStreamResponse]) error {
	for {
		req, err := s.Receive()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		item := req.GetItem()
		j.mu.Lock()
		if j.stopAt > 0 && j.answered >= j.stopAt {
			j.mu.Unlock()
			return connect.NewError(connect.CodeUnavailable, errors.New("server going away"))
		}
		j.answered++
		j.seen[item.ItemId]++
		if len(item.GetAdherence().GetCustomRubric().GetExamples()) == 5 {
			j.examples++
		}
		j.mu.Unlock()
		res := &pb.ScoreResponse{ItemId: item.ItemId, Status: pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR, Reason: "unreadable"}
		if m := reMarker.FindStringSubmatch(item.GetAdherence().GetAnswer()); m != nil && m[1] != "?" {
			score, _ := strconv.Atoi(m[1])
			res = &pb.ScoreResponse{ItemId: item.ItemId, Status: pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT,
				Verdict: &pb.Verdict{Score: proto.Float64(float64(score))}}
		}
		if err := s.Send(&pb.ScoreStreamResponse{Result: res}); err != nil {
			return err
		}
	}
}

func startJudge(t *testing.T, j *stubJudge) Option {
	t.Helper()
	j.seen = map[string]int{}
	mux := http.NewServeMux()
	mux.Handle(personajudgev1connect.NewJudgeServiceHandler(j))
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
	return WithService(srv.URL, hc)
}

// agentFake answers in character with a score marker: 4 for every task but
// linguistic habits, which gets 2 (a planted weakness).
func agentFake(req *llmfake.Request, _ int64) llmfake.Reply {
	if strings.Contains(req.User(), "Linguistic Habits") {
		return llmfake.Reply{Content: "Well, I suppose. SCORE=2"}
	}
	return llmfake.Reply{Content: "As myself, I would act at once. SCORE=4"}
}

// generatorFake writes five examples, except for questions that say
// BADGEN, which get three every time.
func generatorFake(req *llmfake.Request, _ int64) llmfake.Reply {
	if strings.Contains(req.User(), "BADGEN") {
		return llmfake.Reply{Content: `{"examples":["a","b","c"]}`}
	}
	if strings.Contains(req.System(), "evaluation questions") {
		return llmfake.Reply{Content: `{"questions":["Q one?","Q two?"]}`}
	}
	return llmfake.Reply{Content: `{"examples":["e1","e2","e3","e4","e5"]}`}
}

func models(t *testing.T) (*llmfake.Server, *llmfake.Server, []Option) {
	t.Helper()
	agentSrv, genSrv := llmfake.New(agentFake), llmfake.New(generatorFake)
	t.Cleanup(agentSrv.Close)
	t.Cleanup(genSrv.Close)
	zero := 0
	agent, err := NewAgent(clients.ModelConfig{Name: "agent", Model: "agent-1", BaseURL: agentSrv.BaseURL(), MaxRetries: &zero, MaxConcurrency: 8}, "")
	if err != nil {
		t.Fatal(err)
	}
	gen, err := NewGenerator(clients.ModelConfig{Name: "gen", Model: "gen-1", BaseURL: genSrv.BaseURL(), MaxRetries: &zero, MaxConcurrency: 8}, 1)
	if err != nil {
		t.Fatal(err)
	}
	return agentSrv, genSrv, []Option{WithAgent(agent), WithGenerator(gen), WithQuestionsPerTask(2)}
}

func TestRunEndToEndAndRerun(t *testing.T) {
	t.Parallel()
	agentSrv, genSrv, opts := models(t)
	j := &stubJudge{}
	opts = append(opts, startJudge(t, j))
	dir := filepath.Join(t.TempDir(), "run")
	s, err := Run(t.Context(), "testdata/personas.jsonl", dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	const items = 3 * 5 * 2
	if s.Items != items || s.Scored != items || s.PersonaScore.N != 3 {
		t.Fatalf("items %d, scored %d, personas %d; want %d, %d, 3", s.Items, s.Scored, s.PersonaScore.N, items, items)
	}
	// Four tasks at 4 and one at 2: PersonaScore (4*4+2)/5 for every persona.
	if got := s.PersonaScore.Value; got < 3.6-1e-9 || got > 3.6+1e-9 {
		t.Errorf("PersonaScore %v, want 3.6", got)
	}
	for _, ts := range s.Tasks {
		want := 4.0
		if ts.Task == "Linguistic Habits" {
			want = 2
		}
		if ts.OverPersonas.Value != want || ts.OverQuestions.N != 6 || ts.OverPersonas.N != 3 {
			t.Errorf("%s: %+v, want mean %v over 3 personas and 6 questions", ts.Task, ts, want)
		}
	}
	if j.examples != items {
		t.Errorf("%d of %d items came with five score examples", j.examples, items)
	}
	if s.AgentCalls != items || s.GeneratorCalls != items {
		t.Errorf("agent calls %d, generator calls %d; want %d each", s.AgentCalls, s.GeneratorCalls, items)
	}
	for _, f := range []string{AnswersFile, ExamplesFile, ItemsFile, ResultsFile, SummaryFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("run directory: %v", err)
		}
	}
	// A second run of the same inputs makes no model call and judges
	// nothing again.
	a0, g0 := agentSrv.Calls(), genSrv.Calls()
	s2, err := Run(t.Context(), "testdata/personas.jsonl", dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if agentSrv.Calls() != a0 || genSrv.Calls() != g0 || s2.AgentCalls != 0 || s2.GeneratorCalls != 0 {
		t.Errorf("rerun made calls: agent %d, generator %d", agentSrv.Calls()-a0, genSrv.Calls()-g0)
	}
	for id, n := range j.seen {
		if n != 1 {
			t.Errorf("item %s judged %d times", id, n)
		}
	}
	if s2.PersonaScore.Value != s.PersonaScore.Value {
		t.Errorf("rerun PersonaScore %v, first %v", s2.PersonaScore.Value, s.PersonaScore.Value)
	}
}

// A run broken mid-way (the judge goes away) resumes: every item is judged
// exactly once across both runs.
func TestRunResumesAfterABreak(t *testing.T) {
	t.Parallel()
	_, _, opts := models(t)
	j := &stubJudge{stopAt: 11}
	opts = append(opts, startJudge(t, j), WithInFlight(1))
	dir := filepath.Join(t.TempDir(), "run")
	if _, err := Run(t.Context(), "testdata/personas.jsonl", dir, opts...); err == nil {
		t.Fatal("a run whose judge went away succeeded")
	}
	j.mu.Lock()
	j.stopAt = 0
	j.mu.Unlock()
	s, err := Run(t.Context(), "testdata/personas.jsonl", dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if s.Items != 30 || s.Scored != 30 {
		t.Fatalf("after resuming: %d items, %d scored; want 30", s.Items, s.Scored)
	}
	if len(j.seen) != 30 {
		t.Fatalf("%d items judged, want 30", len(j.seen))
	}
	for id, n := range j.seen {
		if n != 1 {
			t.Errorf("item %s judged %d times", id, n)
		}
	}
}

func TestRunBadInput(t *testing.T) {
	t.Parallel()
	_, _, opts := models(t)
	j := &stubJudge{}
	judge := startJudge(t, j)
	badGen := `{"persona":"p","questions":{"Expected Action":["BADGEN first?","fine?"],"Action Justification":["aj?"],"Linguistic Habits":["lh?"],"Persona Consistency":["pc?"],"Toxicity":["tc?"]}}`

	t.Run("unreachable agent", func(t *testing.T) {
		t.Parallel()
		ln := httptest.NewServer(http.NotFoundHandler())
		url := ln.URL + "/v1"
		ln.Close() // nothing listens there now
		zero := 0
		agent, err := NewAgent(clients.ModelConfig{Model: "a", BaseURL: url, MaxRetries: &zero}, "")
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(t.TempDir(), "run")
		_, err = Run(t.Context(), "testdata/personas.jsonl", dir, append(append([]Option{}, opts...), WithAgent(agent), judge)...)
		if err == nil || !strings.HasPrefix(err.Error(), "agent: ") || !strings.Contains(err.Error(), "unreachable") {
			t.Fatalf("err = %v, want one agent unreachable message", err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("the run directory was written: %v", err)
		}
	})
	t.Run("generator never gives five examples", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "run")
		s, err := Run(t.Context(), writeFile(t, "p.jsonl", badGen), dir, append(opts, judge)...)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.ItemErrors) != 1 || s.ItemErrors[0].ItemID != "p000.ea.q00" || !strings.Contains(s.ItemErrors[0].Error, "3 examples, want 5") {
			t.Fatalf("item errors %+v, want p000.ea.q00 with 3 examples", s.ItemErrors)
		}
		if s.Items != 5 {
			t.Errorf("%d items judged, want the other 5", s.Items)
		}
	})
	t.Run("bad personas file", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "run")
		_, err := Run(t.Context(), writeFile(t, "p.jsonl", `{"persona":"p","questions":{"Expected Action":["x"]}}`), dir, append(opts, judge)...)
		if err == nil || !strings.Contains(err.Error(), `p.jsonl:1: questions: task "Action Justification" is missing`) {
			t.Fatalf("err = %v", err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("the run directory was written: %v", err)
		}
	})
	t.Run("questions generated", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "run")
		s, err := Run(t.Context(), writeFile(t, "p.jsonl", `{"persona":"A lighthouse keeper"}`), dir, append(opts, judge)...)
		if err != nil {
			t.Fatal(err)
		}
		if s.Items != 10 || s.Scored != 10 {
			t.Fatalf("%d items, %d scored; want 10 (2 generated questions x 5 tasks)", s.Items, s.Scored)
		}
	})
}
