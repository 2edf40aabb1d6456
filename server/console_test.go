package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// biasedOrContent judges by content, except items whose text says BIASED:
// those it answers by position, so their orders disagree (ABSTAIN).
func biasedOrContent() llmfake.Behavior {
	content, first := fakejudge.ContentPreference("GOOD", 80), fakejudge.FirstLabel(70)
	return func(req *llmfake.Request, n int64) llmfake.Reply {
		if strings.Contains(req.User(), "BIASED") {
			return first(req, n)
		}
		return content(req, n)
	}
}

func consoleClient(h *harness, key string) personajudgev1connect.ConsoleServiceClient {
	hc := &http.Client{Transport: bearer{key, &http.Transport{Protocols: unencryptedHTTP2()}}}
	return personajudgev1connect.NewConsoleServiceClient(hc, h.srv.URL, connect.WithGRPC())
}

// scoreConsoleFixture judges three items: two verdicts (tagged track=a)
// and one whose orders disagree (track=b). It returns their ids in order.
func scoreConsoleFixture(t *testing.T, h *harness) []string {
	t.Helper()
	var ids []string
	for i, tags := range []map[string]string{{"track": "a"}, {"track": "b"}, {"track": "a", "tier": "hard"}} {
		req := prefItem(0)
		req.ItemId = []string{"good-1", "biased", "good-2"}[i]
		req.Tags = tags
		if i == 1 {
			req.GetPreference().Query += " BIASED"
		}
		resp, err := h.connect.Score(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, resp.JudgmentId)
	}
	return ids
}

func listIDs(js []*pb.JudgmentSummary) []string {
	out := []string{}
	for _, j := range js {
		out = append(out, j.JudgmentId)
	}
	return out
}

func TestConsoleListJudgments(t *testing.T) {
	t.Parallel()
	h := newHarness(t, biasedOrContent())
	ids := scoreConsoleFixture(t, h)
	c := consoleClient(h, "")
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		req  *pb.ListJudgmentsRequest
		want []string
	}{
		{"all, newest first", &pb.ListJudgmentsRequest{}, []string{ids[2], ids[1], ids[0]}},
		{"status", &pb.ListJudgmentsRequest{Status: pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN}, []string{ids[1]}},
		{"reason", &pb.ListJudgmentsRequest{ReasonCode: pb.ReasonCode_REASON_CODE_ORDERS_DISAGREE}, []string{ids[1]}},
		{"tag", &pb.ListJudgmentsRequest{Tags: map[string]string{"track": "a"}}, []string{ids[2], ids[0]}},
		{"two tags", &pb.ListJudgmentsRequest{Tags: map[string]string{"track": "a", "tier": "hard"}}, []string{ids[2]}},
		{"kind", &pb.ListJudgmentsRequest{Kind: "role"}, []string{}},
		{"profile", &pb.ListJudgmentsRequest{Profile: "no-such-profile"}, []string{}},
		{"before everything", &pb.ListJudgmentsRequest{CreatedBefore: timestamppb.New(time.Unix(1, 0))}, []string{}},
	} {
		resp, err := c.ListJudgments(ctx, tc.req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := listIDs(resp.Judgments); strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	// A page at a time, every judgment once.
	var seen []string
	req := &pb.ListJudgmentsRequest{PageSize: 1}
	for range 4 {
		resp, err := c.ListJudgments(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, listIDs(resp.Judgments)...)
		if resp.NextPageToken == "" {
			break
		}
		req.PageToken = resp.NextPageToken
	}
	if strings.Join(seen, ",") != strings.Join([]string{ids[2], ids[1], ids[0]}, ",") {
		t.Fatalf("pages gave %v", seen)
	}
	// The summary carries what the list shows.
	resp, err := c.ListJudgments(ctx, &pb.ListJudgmentsRequest{Status: pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN})
	if err != nil {
		t.Fatal(err)
	}
	j := resp.Judgments[0]
	if j.ItemId != "biased" || j.Kind != "preference" || j.Tags["track"] != "b" || j.PositionConsistency >= 1 || j.JudgeProfile == "" || j.Label != nil {
		t.Fatalf("summary = %v", j)
	}
}

func TestConsoleBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t, biasedOrContent())
	c := consoleClient(h, "")
	ctx := t.Context()
	for _, tc := range []struct {
		name  string
		call  func() error
		field string
	}{
		{"page size", func() error { _, err := c.ListJudgments(ctx, &pb.ListJudgmentsRequest{PageSize: 501}); return err }, "page_size"},
		{"page token", func() error {
			_, err := c.ListJudgments(ctx, &pb.ListJudgmentsRequest{PageToken: "not-a-token"})
			return err
		}, "page_token"},
		{"kind", func() error { _, err := c.ListJudgments(ctx, &pb.ListJudgmentsRequest{Kind: "poetry"}); return err }, "kind"},
		{"status", func() error { _, err := c.ListJudgments(ctx, &pb.ListJudgmentsRequest{Status: 99}); return err }, "status"},
		{"tag key", func() error {
			_, err := c.ListJudgments(ctx, &pb.ListJudgmentsRequest{Tags: map[string]string{"Track": "a"}})
			return err
		}, "tags"},
		{"time range", func() error {
			_, err := c.ListJudgments(ctx, &pb.ListJudgmentsRequest{CreatedAfter: timestamppb.New(time.Unix(20, 0)), CreatedBefore: timestamppb.New(time.Unix(10, 0))})
			return err
		}, "created_before"},
		{"review threshold", func() error {
			_, err := c.ListReviewQueue(ctx, &pb.ListReviewQueueRequest{MaxProbability: 1.5})
			return err
		}, "max_probability"},
		{"calibrators profile", func() error { _, err := c.ListCalibrators(ctx, &pb.ListCalibratorsRequest{}); return err }, "profile"},
		{"run name", func() error {
			_, err := c.RecordEvalRun(ctx, &pb.RecordEvalRunRequest{SummaryJson: "{}"})
			return err
		}, "name"},
		{"run summary", func() error {
			_, err := c.RecordEvalRun(ctx, &pb.RecordEvalRunRequest{Name: "r", SummaryJson: "[1,2]"})
			return err
		}, "summary_json"},
		{"run id", func() error { _, err := c.GetEvalRun(ctx, &pb.GetEvalRunRequest{}); return err }, "run_id"},
	} {
		err := tc.call()
		if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: err = %v, want InvalidArgument naming %s", tc.name, err, tc.field)
		}
	}
	_, err := c.GetEvalRun(ctx, &pb.GetEvalRunRequest{RunId: "nope"})
	assertCode(t, err, connect.CodeNotFound, "run_id")
	var runs int
	if err := h.store.DB().QueryRow(`SELECT count(*) FROM eval_runs`).Scan(&runs); err != nil || runs != 0 {
		t.Fatalf("bad runs stored: %d (%v)", runs, err)
	}
}

func TestConsoleReviewQueueAndProfiles(t *testing.T) {
	t.Parallel()
	h := newHarness(t, biasedOrContent())
	ids := scoreConsoleFixture(t, h)
	c := consoleClient(h, "")
	ctx := t.Context()
	q, err := c.ListReviewQueue(ctx, &pb.ListReviewQueueRequest{})
	if err != nil {
		t.Fatal(err)
	}
	// Without a calibrator only the disagreeing orders are uncertain.
	if len(q.Items) != 1 || q.Items[0].Judgment.JudgmentId != ids[1] {
		t.Fatalf("queue = %v", q.Items)
	}
	reasons := q.Items[0].Reasons
	if len(reasons) != 2 || reasons[0] != pb.ReviewReason_REVIEW_REASON_ABSTAIN || reasons[1] != pb.ReviewReason_REVIEW_REASON_ORDERS_DISAGREE {
		t.Fatalf("reasons = %v", reasons)
	}
	cal := personajudgev1connect.NewCalibrationServiceClient(http.DefaultClient, h.srv.URL, connect.WithProtoJSON())
	if _, err := cal.RecordOutcomes(ctx, &pb.RecordOutcomesRequest{Outcomes: []*pb.Outcome{{JudgmentId: ids[1], Label: &pb.Label{Choice: proto.Int32(0)}}}}); err != nil {
		t.Fatal(err)
	}
	q, err = c.ListReviewQueue(ctx, &pb.ListReviewQueueRequest{})
	if err != nil || len(q.Items) != 0 {
		t.Fatalf("after labelling: %v, %v", q.GetItems(), err)
	}
	q, err = c.ListReviewQueue(ctx, &pb.ListReviewQueueRequest{IncludeLabelled: true})
	if err != nil || len(q.Items) != 1 || q.Items[0].Judgment.Label.GetChoice() != 0 || q.Items[0].Judgment.Label.Choice == nil {
		t.Fatalf("with labelled: %v, %v", q.GetItems(), err)
	}
	ps, err := c.ListProfiles(ctx, &pb.ListProfilesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps.Profiles) != 1 || ps.Profiles[0].Judgments != 3 || ps.Profiles[0].Labelled != 1 || ps.Profiles[0].ActiveCalibrator != "" {
		t.Fatalf("profiles = %v", ps.Profiles)
	}
	cs, err := c.ListCalibrators(ctx, &pb.ListCalibratorsRequest{Profile: ps.Profiles[0].Profile})
	if err != nil || len(cs.Calibrators) != 0 {
		t.Fatalf("calibrators = %v, %v", cs.GetCalibrators(), err)
	}
}

func TestConsoleEvalRuns(t *testing.T) {
	t.Parallel()
	h := newHarness(t, biasedOrContent())
	c := consoleClient(h, "")
	ctx := t.Context()
	var ids []string
	for _, name := range []string{"first", "second"} {
		resp, err := c.RecordEvalRun(ctx, &pb.RecordEvalRunRequest{Name: name, SummaryJson: `{"results":3,"metrics":{"accuracy":{"value":0.5}}}`})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, resp.RunId)
	}
	list, err := c.ListEvalRuns(ctx, &pb.ListEvalRunsRequest{PageSize: 1})
	if err != nil || len(list.Runs) != 1 || list.Runs[0].Name != "second" || list.Runs[0].SummaryJson != "" || list.NextPageToken == "" {
		t.Fatalf("first page = %v, %v", list.GetRuns(), err)
	}
	list, err = c.ListEvalRuns(ctx, &pb.ListEvalRunsRequest{PageSize: 1, PageToken: list.NextPageToken})
	if err != nil || len(list.Runs) != 1 || list.Runs[0].RunId != ids[0] || list.NextPageToken != "" {
		t.Fatalf("second page = %v, %v", list.GetRuns(), err)
	}
	got, err := c.GetEvalRun(ctx, &pb.GetEvalRunRequest{RunId: ids[0]})
	if err != nil || got.Run.Name != "first" || !strings.Contains(got.Run.SummaryJson, `"accuracy"`) {
		t.Fatalf("GetEvalRun = %v, %v", got.GetRun(), err)
	}
}

// The console's reads need the read role; recording a run needs the score
// role, the one an eval pipeline has.
func TestConsoleRoles(t *testing.T) {
	t.Parallel()
	h, _ := gatedHarness(t, biasedOrContent(), DefaultLimits())
	ctx := t.Context()
	if _, err := consoleClient(h, "").ListJudgments(ctx, &pb.ListJudgmentsRequest{}); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("no key: %v", err)
	}
	reader := consoleClient(h, readKey)
	if _, err := reader.ListJudgments(ctx, &pb.ListJudgmentsRequest{}); err != nil {
		t.Fatalf("read key, ListJudgments: %v", err)
	}
	if _, err := reader.ListReviewQueue(ctx, &pb.ListReviewQueueRequest{}); err != nil {
		t.Fatalf("read key, ListReviewQueue: %v", err)
	}
	run := &pb.RecordEvalRunRequest{Name: "ci", SummaryJson: "{}"}
	if _, err := reader.RecordEvalRun(ctx, run); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Fatalf("read key, RecordEvalRun: %v", err)
	}
	if _, err := consoleClient(h, scoreKey).RecordEvalRun(ctx, run); err != nil {
		t.Fatalf("score key, RecordEvalRun: %v", err)
	}
}
