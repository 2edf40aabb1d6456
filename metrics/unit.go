package metrics

import (
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
)

// unit is what the figures need of one result, kept small so a collector
// over a whole ledger or a large results file stays cheap. Every figure
// resamples results (never votes), because votes of one item are not
// independent.
type unit struct {
	id     string
	tags   map[string]string
	status pb.JudgmentStatus

	labelled, verdict, correct bool
	// choiceVerdict: a VERDICT that chose an option or a tie (not a score).
	choiceVerdict            bool
	tieStated, tieDisagree   bool
	kappaOK                  bool
	verdictCat, labelCat     int
	high                     bool
	voted                    bool
	consistency              float64
	choiceVotes, firstShown  int
	chance                   float64 // sum of 1/K over choice votes
	singleOrder, singleWrong bool    // labelled, judged in the first order alone; and wrong so
	ranked                   bool
	rank                     int
	brier, topProb           float64
	topRight                 bool
	scored                   bool
	judgeScore, humanScore   float64
}

func newUnit(r *pb.ScoreResponse, label *pb.Label) unit {
	u := unit{id: r.ItemId, tags: r.Tags, status: r.Status, labelled: label != nil}
	u.verdict = r.Status == pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT
	u.correct = u.verdict && judges.VerdictCorrect(r.Verdict, label)
	v := r.GetVerdict()
	if u.verdict && v != nil && (v.Tie || v.Choice != nil) {
		u.choiceVerdict = true
		u.tieStated = v.Tie && r.TieSource == pb.TieSource_TIE_SOURCE_STATED
		u.tieDisagree = v.Tie && r.TieSource == pb.TieSource_TIE_SOURCE_ORDERS_DISAGREE
	}
	if u.verdict && label != nil && v != nil {
		vc, vok := category(v.Tie, v.Choice)
		lc, lok := category(label.GetTie(), label.Choice)
		u.kappaOK, u.verdictCat, u.labelCat = vok && lok && vc < maxCategories && lc < maxCategories && vc >= -1 && lc >= -1, vc, lc
	}
	u.high = r.HighCertainty
	if r.Status == pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT || r.Status == pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN {
		u.voted, u.consistency = true, r.PositionConsistency
	}
	u.addPosition(r, label)
	u.addRanking(r, label)
	if u.verdict && label != nil && label.Score != nil && v != nil && v.Score != nil {
		u.scored, u.judgeScore, u.humanScore = true, v.GetScore(), label.GetScore()
	}
	return u
}

// category is a verdict's or label's choice, -1 for a tie, and false for
// anything else (a rubric score, no verdict).
func category(tie bool, choice *int32) (int, bool) {
	switch {
	case tie:
		return -1, true
	case choice != nil:
		return int(*choice), true
	}
	return 0, false
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

// addPosition counts the position-bias evidence of every judge that
// chooses among options (rubric scores have no first-shown option).
func (u *unit) addPosition(r *pb.ScoreResponse, label *pb.Label) {
	for _, v := range r.Votes {
		choice, ok := voteChoice(v)
		if !ok || len(v.ShownOrder) < 2 {
			continue
		}
		u.choiceVotes++
		u.chance += 1 / float64(len(v.ShownOrder))
		if choice == v.ShownOrder[0] {
			u.firstShown++
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
	u.singleOrder = true
	if choice, ok := voteChoice(first); !ok || choice != label.GetChoice() {
		u.singleWrong = true
	}
}

// addRanking counts a judged result with a choice label over at least
// three options (role identification). Ranks count the options strictly
// more probable than the true one, so a tie at the top does not rank the
// true option lower.
func (u *unit) addRanking(r *pb.ScoreResponse, label *pb.Label) {
	d := r.Distribution
	if label == nil || label.Choice == nil || len(d) < 3 || int(label.GetChoice()) >= len(d) || !u.voted {
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
		u.brier += (p - y) * (p - y)
	}
	u.ranked, u.rank = true, rank
	u.topProb, u.topRight = d[top], top == truth
}
