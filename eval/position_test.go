package eval

import (
	"math"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

func choiceVote(order []int32, choice int32) *pb.Vote {
	return &pb.Vote{ShownOrder: order, ParseStatus: pb.ParseStatus_PARSE_STATUS_OK, MappedAnswer: &pb.Answer{Choice: proto.Int32(choice)}}
}

// A judge that always picks the first option shown wins every vote for it
// and, asked in one order only, is wrong whenever the truth is shown second.
func TestPositionFigures(t *testing.T) {
	t.Parallel()
	ab, ba := []int32{0, 1}, []int32{1, 0}
	s := newSummary(&Config{Results: "r.jsonl"})
	for _, truth := range []int32{0, 1, 1, 0} {
		r := &pb.ScoreResponse{Status: pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN, Votes: []*pb.Vote{choiceVote(ab, 0), choiceVote(ba, 1)}}
		s.add(r, &pb.Label{Choice: proto.Int32(truth)}, true)
	}
	// A role vote: a distribution over three candidates, shown 2,0,1; its
	// most probable option (2) is the one shown first.
	role := &pb.Vote{ShownOrder: []int32{2, 0, 1}, ParseStatus: pb.ParseStatus_PARSE_STATUS_OK, MappedAnswer: &pb.Answer{Distribution: []float64{0.2, 0.1, 0.7}}}
	s.add(&pb.ScoreResponse{Status: pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT, Votes: []*pb.Vote{role}}, nil, true)

	m := s.Metrics()
	// n counts items (the resampled unit), the rate counts votes.
	if v := m["first_shown_win_rate"]; v.Value == nil || *v.Value != 1 || v.N != 5 {
		t.Fatalf("first_shown_win_rate %+v, want 1 on 5 items", v)
	}
	if v := m["single_order_error_rate"]; v.Value == nil || *v.Value != 0.5 || v.N != 4 {
		t.Fatalf("single_order_error_rate %+v, want 0.5 on 4 items", v)
	}
	if chance := *m["first_shown_chance"].Value; math.Abs(chance-(8*0.5+1.0/3)/9) > 1e-12 {
		t.Fatalf("chance level %v", chance)
	}
}
