package eval

import (
	"github.com/personajudge/personajudge/calibration"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// rankingCounts are the PersonaEval figures of K-way judgments (K >= 3, role
// identification): how high the true option ranks in the judge's mean
// distribution, and how good that distribution is as a forecast.
type rankingCounts struct {
	n, top1, top2 int
	rankSum       int
	brierSum      float64
	// topProb and topRight feed ECE: the probability of the top option
	// and whether it is the true one.
	topProb  []float64
	topRight []bool
}

// add counts a judged result with a choice label over at least three
// options. Ranks count the options strictly more probable than the true
// one, so a tie at the top does not rank the true option lower.
func (c *rankingCounts) add(r *pb.ScoreResponse, label *pb.Label) {
	d := r.Distribution
	if label == nil || label.Choice == nil || len(d) < 3 || int(label.GetChoice()) >= len(d) ||
		(r.Status != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT && r.Status != pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN) {
		return
	}
	truth := int(label.GetChoice())
	rank, top := 1, 0
	for i, p := range d {
		if p > d[truth] {
			rank++
		}
		if p > d[top] {
			top = i
		}
		y := 0.0
		if i == truth {
			y = 1
		}
		c.brierSum += (p - y) * (p - y)
	}
	c.n++
	c.rankSum += rank
	if rank == 1 {
		c.top1++
	}
	if rank <= 2 {
		c.top2++
	}
	c.topProb = append(c.topProb, d[top])
	c.topRight = append(c.topRight, top == truth)
}

// ece20 is the expected calibration error (20 equal-width bins) of the top
// option's probability.
func (c *rankingCounts) ece20() float64 {
	return calibration.ECE(c.topProb, c.topRight, 20)
}
