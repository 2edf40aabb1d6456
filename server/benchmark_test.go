package server

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"google.golang.org/protobuf/proto"
)

var (
	taskEA = pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_EXPECTED_ACTION
	taskLH = pb.AdherenceTaskKind_ADHERENCE_TASK_KIND_LINGUISTIC_HABITS
)

// gymRun is two personas, five tasks, two questions each, every score 3
// but lh's, and the items listed in judgeErrors failed.
func gymRun(name string, lh float64, judgeErrors ...string) *pb.RecordRunRequest {
	req := &pb.RecordRunRequest{Name: name, Agent: "agent-" + name}
	failed := map[string]bool{}
	for _, id := range judgeErrors {
		failed[id] = true
	}
	for p := range 2 {
		for task := pb.AdherenceTaskKind(1); task <= 5; task++ {
			for q := range 2 {
				it := &pb.BenchmarkItem{Persona: int32(p), Task: task, QuestionId: fmt.Sprintf("q%02d", q),
					Status: pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT, Score: proto.Float64(3)}
				if task == taskLH {
					it.Score = proto.Float64(lh)
				}
				if failed[fmt.Sprintf("p%d.%d.q%02d", p, task, q)] {
					it.Status, it.Score, it.Reason = pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR, nil, "backend error"
				}
				req.Items = append(req.Items, it)
			}
		}
	}
	return req
}

func near(x, want float64) bool { return math.Abs(x-want) < 1e-9 }

// A run recorded through the API rolls up as the CLI's summary does, and
// two runs compare paired by question: the planted lh difference is found,
// the judge error is left out of its pair and never counted as a score.
func TestBenchmarkService(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentPreference("GOOD", 90))
	ctx := t.Context()
	client := personajudgev1connect.NewBenchmarkServiceClient(http.DefaultClient, h.srv.URL)

	a, err := client.RecordRun(ctx, gymRun("a", 3))
	if err != nil || a.Items != 20 || a.RunId == "" {
		t.Fatalf("RecordRun a = %v, %v", a, err)
	}
	b, err := client.RecordRun(ctx, gymRun("b", 4, "p0.1.q00"))
	if err != nil {
		t.Fatal(err)
	}

	roll, err := client.RollUp(ctx, &pb.RollUpRequest{RunId: b.RunId, BootstrapSeed: 1, BootstrapSamples: 200})
	if err != nil {
		t.Fatal(err)
	}
	// Each persona: tasks 3, 3, 4, 3, 3 -> 3.2; the judge error is no score.
	if ps := roll.PersonaScore; !near(ps.GetValue(), 3.2) || ps.N != 2 || ps.Interval == nil {
		t.Errorf("persona score %v, want 3.2 over 2 personas with an interval", ps)
	}
	if roll.Items != 20 || roll.Scored != 19 || roll.JudgeErrors != 1 || roll.Run.GetName() != "b" || roll.Run.GetAgent() != "agent-b" {
		t.Errorf("counts and run: %v", roll)
	}
	if len(roll.Tasks) != 5 || roll.Tasks[0].Task != taskEA || roll.Tasks[0].Scored != 3 || roll.Tasks[0].JudgeErrors != 1 ||
		roll.Tasks[2].Task != taskLH || !near(roll.Tasks[2].OverPersonas.GetValue(), 4) {
		t.Errorf("tasks: %v", roll.Tasks)
	}
	if len(roll.Personas) != 2 || !near(roll.Personas[1].GetPersonaScore(), 3.2) || len(roll.Personas[1].Tasks) != 5 || roll.Personas[1].Tasks[2].Task != taskLH {
		t.Errorf("personas: %v", roll.Personas)
	}

	cmp, err := client.CompareRuns(ctx, &pb.CompareRunsRequest{RunA: a.RunId, RunB: b.RunId, Seed: 1, Samples: 500})
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Unpaired != 1 || cmp.RunA.GetRunId() != a.RunId || cmp.RunB.GetRunId() != b.RunId {
		t.Errorf("unpaired %d, runs %v %v", cmp.Unpaired, cmp.RunA, cmp.RunB)
	}
	if o := cmp.Overall; !near(o.Diff.GetValue(), 0.2) || o.Diff.N != 2 || o.Better != 2 {
		t.Errorf("overall %v, want +0.2 over 2 personas", o)
	}
	for _, td := range cmp.Tasks {
		d := td.Difference
		switch td.Task {
		case taskLH:
			if !near(d.Diff.GetValue(), 1) || d.Diff.N != 4 || d.Better != 4 {
				t.Errorf("lh %v, want +1 on 4 questions", d)
			}
		case taskEA:
			if d.Diff.GetValue() != 0 || d.Diff.N != 3 || d.PValue != 1 {
				t.Errorf("ea %v, want 0 on the 3 questions both scored, p 1", d)
			}
		}
	}
}

func TestBenchmarkServiceBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentPreference("GOOD", 90))
	ctx := t.Context()
	client := personajudgev1connect.NewBenchmarkServiceClient(http.DefaultClient, h.srv.URL)
	a, err := client.RecordRun(ctx, gymRun("a", 3))
	if err != nil {
		t.Fatal(err)
	}
	other := gymRun("other", 3)
	for _, it := range other.Items {
		it.QuestionId = "x" + it.QuestionId
	}
	disjoint, err := client.RecordRun(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	stored := func() int {
		var n int
		if err := h.store.DB().QueryRowContext(ctx, `SELECT count(*) FROM benchmark_items`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := stored()

	edit := func(f func(r *pb.RecordRunRequest)) *pb.RecordRunRequest {
		r := gymRun("bad", 3)
		f(r)
		return r
	}
	record := func(r *pb.RecordRunRequest) error { _, err := client.RecordRun(ctx, r); return err }
	tests := []struct {
		name  string
		call  func() error
		code  connect.Code
		field string
	}{
		{"no name", func() error { return record(edit(func(r *pb.RecordRunRequest) { r.Name = "" })) }, connect.CodeInvalidArgument, "name"},
		{"no items", func() error { return record(&pb.RecordRunRequest{Name: "x"}) }, connect.CodeInvalidArgument, "items"},
		{"unknown task", func() error { return record(edit(func(r *pb.RecordRunRequest) { r.Items[3].Task = 9 })) }, connect.CodeInvalidArgument, "items[3].task"},
		{"empty question", func() error { return record(edit(func(r *pb.RecordRunRequest) { r.Items[4].QuestionId = "" })) }, connect.CodeInvalidArgument, "items[4].question_id"},
		{"score out of range", func() error {
			return record(edit(func(r *pb.RecordRunRequest) { r.Items[5].Score = proto.Float64(6) }))
		}, connect.CodeInvalidArgument, "items[5].score"},
		{"verdict without score", func() error { return record(edit(func(r *pb.RecordRunRequest) { r.Items[5].Score = nil })) }, connect.CodeInvalidArgument, "items[5].score"},
		{"judge error with a score", func() error {
			return record(edit(func(r *pb.RecordRunRequest) { r.Items[6].Status = pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR }))
		}, connect.CodeInvalidArgument, "items[6].score"},
		{"no status", func() error { return record(edit(func(r *pb.RecordRunRequest) { r.Items[7].Status = 0 })) }, connect.CodeInvalidArgument, "items[7].status"},
		{"negative persona", func() error { return record(edit(func(r *pb.RecordRunRequest) { r.Items[8].Persona = -1 })) }, connect.CodeInvalidArgument, "items[8].persona"},
		{"duplicate question", func() error {
			return record(edit(func(r *pb.RecordRunRequest) { r.Items = append(r.Items, proto.Clone(r.Items[2]).(*pb.BenchmarkItem)) }))
		}, connect.CodeInvalidArgument, "items[20].question_id"},
		{"roll up without id", func() error { _, err := client.RollUp(ctx, &pb.RollUpRequest{}); return err }, connect.CodeInvalidArgument, "run_id"},
		{"roll up unknown run", func() error { _, err := client.RollUp(ctx, &pb.RollUpRequest{RunId: "nope"}); return err }, connect.CodeNotFound, "run_id"},
		{"roll up too many samples", func() error {
			_, err := client.RollUp(ctx, &pb.RollUpRequest{RunId: a.RunId, BootstrapSamples: MaxBenchmarkSamples + 1})
			return err
		}, connect.CodeInvalidArgument, "bootstrap_samples"},
		{"compare without a", func() error { _, err := client.CompareRuns(ctx, &pb.CompareRunsRequest{RunB: a.RunId}); return err }, connect.CodeInvalidArgument, "run_a"},
		{"compare unknown b", func() error {
			_, err := client.CompareRuns(ctx, &pb.CompareRunsRequest{RunA: a.RunId, RunB: "nope"})
			return err
		}, connect.CodeNotFound, "run_b"},
		{"compare negative samples", func() error {
			_, err := client.CompareRuns(ctx, &pb.CompareRunsRequest{RunA: a.RunId, RunB: a.RunId, Samples: -1})
			return err
		}, connect.CodeInvalidArgument, "samples"},
		{"compare runs sharing no question", func() error {
			_, err := client.CompareRuns(ctx, &pb.CompareRunsRequest{RunA: a.RunId, RunB: disjoint.RunId})
			return err
		}, connect.CodeFailedPrecondition, "run_b"},
	}
	for _, tt := range tests {
		err := tt.call()
		if connect.CodeOf(err) != tt.code {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.code)
			continue
		}
		var ce *connect.Error
		if ce, _ = err.(*connect.Error); ce == nil || !strings.HasPrefix(ce.Message(), tt.field+":") {
			t.Errorf("%s: message %q does not name %s", tt.name, err, tt.field)
		}
	}
	if n := stored(); n != before {
		t.Errorf("bad requests stored %d items", n-before)
	}
}
