package eval

import (
	"math"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

// Ranks, Brier and ECE of role-identification distributions, by hand.
func TestRankingFigures(t *testing.T) {
	t.Parallel()
	s := newSummary(&Config{Results: "r.jsonl"})
	add := func(d []float64, truth int32) {
		s.add(&pb.ScoreResponse{Status: pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT, Distribution: d}, &pb.Label{Choice: proto.Int32(truth)}, true)
	}
	add([]float64{0.6, 0.3, 0.1}, 0) // rank 1
	add([]float64{0.6, 0.3, 0.1}, 1) // rank 2
	add([]float64{0.5, 0.3, 0.2}, 2) // rank 3
	// A pairwise judgment and an unlabelled one do not count.
	add([]float64{0.9, 0.1}, 1)
	s.add(&pb.ScoreResponse{Status: pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT, Distribution: []float64{0.2, 0.3, 0.5}}, nil, true)

	m := s.Metrics()
	want := map[string]float64{
		"top1_accuracy": 1.0 / 3,
		"top2_accuracy": 2.0 / 3,
		"mean_rank":     2,
		// (0.16+0.09+0.01) + (0.36+0.49+0.01) + (0.25+0.09+0.64), over 3
		"brier": (0.26 + 0.86 + 0.98) / 3,
		// Top probabilities .6 (right), .6 (wrong), .5 (wrong): bins at
		// .5 and .6; |0.5-0.5|*2/3 + |0-0.5|*1/3.
		"ece20": (2.0/3)*math.Abs(0.6-0.5) + (1.0/3)*math.Abs(0.5-0),
	}
	for name, w := range want {
		v := m[name]
		if v.Value == nil || v.N != 3 || math.Abs(*v.Value-w) > 1e-9 {
			t.Errorf("%s = %+v, want %v on 3", name, v, w)
		}
	}
}
