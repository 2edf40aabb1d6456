package eval

import (
	"strings"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

// The page stands alone: figures with intervals, both diagrams as inline
// SVG, the worst items, and nothing fetched from elsewhere.
func TestHTMLReport(t *testing.T) {
	t.Parallel()
	s := newSummary(&Config{Results: "r<1>.jsonl"})
	for i := range 20 {
		r, l := choiceResult(int32(i%2), int32(min(i%3, 1)))
		r.ItemId = "item-" + string(rune('a'+i))
		r.VerbalCertainty = float64(i) / 20
		r.Tags = map[string]string{"tier": "easy"}
		s.add(r, l, true)
	}
	s.add(&pb.ScoreResponse{ItemId: "e", Status: pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR, Reason: "timed out"}, &pb.Label{Choice: proto.Int32(0)}, true)
	gates, err := ParseGates("accuracy.lower<0.9")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.HTML(gates)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{"r&lt;1&gt;.jsonl", "<td>accuracy</td>", "Reliability (10 bins)", "<polyline", "Risk-coverage", "breached: accuracy.lower&lt;0.9", "tier=easy", "Worst items", "timed out"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Count(page, "<svg") != 2 || strings.Contains(page, "src=") || strings.Contains(page, "href=") {
		t.Errorf("page is not self-contained with two inline diagrams:\n%s", page)
	}
}
