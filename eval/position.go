package eval

import (
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// positionCounts are the position-bias figures of a run, for every judge
// that chooses among options (rubric scores have no first-shown option).
type positionCounts struct {
	// Votes that chose an option, and those whose choice was the option
	// shown first: for an unbiased judge about 1/K of them.
	choiceVotes, firstShownWins int
	// chanceSum adds 1/K per choice vote, for the chance level to compare
	// the win rate with.
	chanceSum float64
	// Labelled results judged in the first order alone, and how many of
	// those first-order answers were wrong: what a single-order judge
	// would have scored.
	singleOrderLabelled, singleOrderWrong int
}

// voteChoice is the canonical option a valid vote chose: its choice, or
// the single most probable option of its distribution.
func voteChoice(v *pb.Vote) (int32, bool) {
	if v.ParseStatus != pb.ParseStatus_PARSE_STATUS_OK && v.ParseStatus != pb.ParseStatus_PARSE_STATUS_REPAIRED {
		return 0, false
	}
	a := v.GetMappedAnswer()
	if a.GetTie() {
		return 0, false
	}
	if a.Choice != nil {
		return a.GetChoice(), true
	}
	best, top, unique := int32(-1), -1.0, false
	for i, p := range a.GetDistribution() {
		switch {
		case p > top:
			best, top, unique = int32(i), p, true
		case p == top:
			unique = false
		}
	}
	return best, unique && best >= 0
}

func (c *positionCounts) add(r *pb.ScoreResponse, label *pb.Label) {
	for _, v := range r.Votes {
		choice, ok := voteChoice(v)
		if !ok || len(v.ShownOrder) < 2 {
			continue
		}
		c.choiceVotes++
		c.chanceSum += 1 / float64(len(v.ShownOrder))
		if choice == v.ShownOrder[0] {
			c.firstShownWins++
		}
	}
	if label == nil || label.Choice == nil || len(r.Votes) == 0 || r.Status == pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR {
		return
	}
	// The first vote is the first model's first order: the answer a judge
	// asked once, in one order, would have given.
	first := r.Votes[0]
	if first.ParseStatus != pb.ParseStatus_PARSE_STATUS_OK && first.ParseStatus != pb.ParseStatus_PARSE_STATUS_REPAIRED {
		return
	}
	c.singleOrderLabelled++
	if choice, ok := voteChoice(first); !ok || choice != label.GetChoice() {
		c.singleOrderWrong++
	}
}
