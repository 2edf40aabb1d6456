package server

import (
	"fmt"
	"net/http"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Judged and labelled items come back as figures with n and intervals,
// filtered by tag and refused with the field named on bad input.
func TestGetMetrics(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentPreference("GOOD", 90))
	ctx := t.Context()
	var outcomes []*pb.Outcome
	for i := range 4 {
		req := prefItem(i % 2)
		req.ItemId = fmt.Sprint("item-", i)
		req.Tags = map[string]string{"tier": []string{"easy", "hard"}[i/2]}
		resp, err := h.connect.Score(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		// The judge finds the better response every time; the last label
		// disagrees, so accuracy is 3 of 4.
		truth := int32(i % 2)
		if i == 3 {
			truth = 1 - truth
		}
		outcomes = append(outcomes, &pb.Outcome{JudgmentId: resp.JudgmentId, Label: &pb.Label{Choice: proto.Int32(truth)}})
	}
	if _, _, err := h.store.RecordOutcomes(ctx, outcomes, false); err != nil {
		t.Fatal(err)
	}
	client := personajudgev1connect.NewMetricsServiceClient(http.DefaultClient, h.srv.URL)

	got, err := client.GetMetrics(ctx, &pb.GetMetricsRequest{Kind: "preference", BootstrapSeed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got.Judgments != 4 || len(got.Groups) != 1 || got.Groups[0].Kind != "preference" || got.Groups[0].Profile == "" {
		t.Fatalf("response %v", got)
	}
	figs := map[string]*pb.Figure{}
	for _, f := range got.Groups[0].Figures {
		figs[f.Name] = f
	}
	for name, want := range map[string]float64{"accuracy": 0.75, "consistency": 1, "first_shown_win_rate": 0.5, "stated_tie_rate": 0} {
		f := figs[name]
		if f == nil || f.Value != want || f.N != 4 || f.Interval == nil || f.Interval.Lower > want || f.Interval.Upper < want {
			t.Errorf("%s = %v, want %v on 4 with an interval around it", name, f, want)
		}
	}

	easy, err := client.GetMetrics(ctx, &pb.GetMetricsRequest{Tags: map[string]string{"tier": "easy"}})
	if err != nil || easy.Judgments != 2 {
		t.Fatalf("tier=easy: %v, %v", easy, err)
	}
	future, err := client.GetMetrics(ctx, &pb.GetMetricsRequest{CreatedAfter: timestamppb.New(timestamppb.Now().AsTime().Add(3600e9))})
	if err != nil || future.Judgments != 0 || len(future.Groups) != 0 {
		t.Fatalf("a range after every judgment: %v, %v", future, err)
	}

	for _, bad := range []struct {
		req   *pb.GetMetricsRequest
		field string
	}{
		{&pb.GetMetricsRequest{Kind: "pairwise"}, "kind"},
		{&pb.GetMetricsRequest{BootstrapSamples: MaxMetricsBootstrapSamples + 1}, "bootstrap_samples"},
		{&pb.GetMetricsRequest{Tags: map[string]string{"Tier": "x"}}, "tags"},
		{&pb.GetMetricsRequest{CreatedAfter: timestamppb.Now(), CreatedBefore: timestamppb.New(timestamppb.Now().AsTime().Add(-1e9))}, "created_before"},
	} {
		_, err := client.GetMetrics(ctx, bad.req)
		if bad.field == "tags" {
			bad.field = `tags["Tier"]`
		}
		assertInvalidField(t, err, bad.field)
	}
}
