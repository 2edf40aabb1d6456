package calibration

import "fmt"

// A panel is several judges answering the same two-way choice. Instead of
// averaging their certainties, a calibrated panel fits one logistic over
// all members' signals to the probability that the first option is the
// true one: each member contributes its answer (+1 for the first option,
// -1 for the second, 0 when it gave none) and that answer weighted by the
// logit of its stated certainty, so the fit learns how far to trust each
// member and how much their agreement adds.

// PanelVote is one member's answer on one item.
type PanelVote struct {
	// Answered: the member gave a readable verdict.
	Answered bool
	// First: the verdict is the first option.
	First bool
	// Certainty is the member's stated certainty normalized to 0..1.
	Certainty float64
}

// prob is the member's own probability that the first option is true,
// reading its certainty with the identity map; 0.5 without an answer.
func (v PanelVote) prob() float64 {
	if !v.Answered {
		return 0.5
	}
	p := IdentityFromNormalized(v.Certainty, 2)
	if v.First {
		return p
	}
	return 1 - p
}

// PanelFeatures is the feature row of one item's votes (one per member, in
// a fixed member order).
func PanelFeatures(votes []PanelVote) []float64 {
	x := make([]float64, 0, 2*len(votes))
	for _, v := range votes {
		sign := 0.0
		if v.Answered {
			sign = -1
			if v.First {
				sign = 1
			}
		}
		x = append(x, sign, sign*Logit(IdentityFromNormalized(v.Certainty, 2)))
	}
	return x
}

// Panel is a fitted panel calibrator.
type Panel struct {
	Members  []string `json:"members"`
	Logistic Logistic `json:"logistic"`
}

// FitPanel fits a panel on items' votes and whether the first option is
// true.
func FitPanel(members []string, votes [][]PanelVote, firstTrue []bool) (Panel, error) {
	rows, err := panelRows(members, votes)
	if err != nil {
		return Panel{}, err
	}
	l, err := FitLogistic(rows, firstTrue)
	if err != nil {
		return Panel{}, err
	}
	return Panel{Members: members, Logistic: l}, nil
}

func panelRows(members []string, votes [][]PanelVote) ([][]float64, error) {
	if len(members) == 0 {
		return nil, fmt.Errorf("%w: a panel needs at least one member", ErrInvalidInput)
	}
	rows := make([][]float64, len(votes))
	for i, vs := range votes {
		if len(vs) != len(members) {
			return nil, fmt.Errorf("%w: item %d has %d votes for %d members", ErrInvalidInput, i, len(vs), len(members))
		}
		rows[i] = PanelFeatures(vs)
	}
	return rows, nil
}

// ProbFirst is the panel's probability that the first option is true.
func (p Panel) ProbFirst(votes []PanelVote) float64 { return p.Logistic.Predict(PanelFeatures(votes)) }

// PlainMean is the unfitted panel: the mean of the members' own
// probabilities that the first option is true.
func PlainMean(votes []PanelVote) float64 {
	var s float64
	for _, v := range votes {
		s += v.prob()
	}
	return s / float64(max(len(votes), 1))
}

// PanelScores are a prediction's proper scores on held-out items.
type PanelScores struct {
	LogLoss  float64 `json:"log_loss"`
	Brier    float64 `json:"brier"`
	Accuracy float64 `json:"accuracy"`
}

// PanelReport compares, on held-out items, the calibrated panel with the
// plain mean of its members and with each member alone (its own answer and
// certainty, Platt-calibrated on the same fit items, so a member is judged
// at its best).
type PanelReport struct {
	FitItems  int           `json:"fit_items"`
	TestItems int           `json:"test_items"`
	Panel     PanelScores   `json:"panel"`
	PlainMean PanelScores   `json:"plain_mean"`
	Members   []PanelScores `json:"members"`
	// BestMember indexes the member with the lowest held-out log loss.
	BestMember int `json:"best_member"`
}

// ComparePanel fits on the fit items and scores on the test items.
func ComparePanel(members []string, fitVotes [][]PanelVote, fitFirst []bool, testVotes [][]PanelVote, testFirst []bool) (PanelReport, error) {
	panel, err := FitPanel(members, fitVotes, fitFirst)
	if err != nil {
		return PanelReport{}, err
	}
	if _, err := panelRows(members, testVotes); err != nil {
		return PanelReport{}, err
	}
	if len(testVotes) == 0 || len(testVotes) != len(testFirst) {
		return PanelReport{}, fmt.Errorf("%w: %d test items and %d labels", ErrInvalidInput, len(testVotes), len(testFirst))
	}
	rep := PanelReport{FitItems: len(fitVotes), TestItems: len(testVotes)}
	pp, mp := make([]float64, len(testVotes)), make([]float64, len(testVotes))
	for i, vs := range testVotes {
		pp[i], mp[i] = panel.ProbFirst(vs), PlainMean(vs)
	}
	rep.Panel, rep.PlainMean = panelScores(pp, testFirst), panelScores(mp, testFirst)
	for m := range members {
		one := func(vs [][]PanelVote) [][]float64 {
			rows := make([][]float64, len(vs))
			for i := range vs {
				rows[i] = PanelFeatures(vs[i][m : m+1])
			}
			return rows
		}
		l, err := FitLogistic(one(fitVotes), fitFirst)
		if err != nil {
			return PanelReport{}, err
		}
		probs := make([]float64, len(testVotes))
		for i, x := range one(testVotes) {
			probs[i] = l.Predict(x)
		}
		rep.Members = append(rep.Members, panelScores(probs, testFirst))
		if rep.Members[m].LogLoss < rep.Members[rep.BestMember].LogLoss {
			rep.BestMember = m
		}
	}
	return rep, nil
}

// panelScores scores probabilities of the first option against the truth.
func panelScores(probs []float64, firstTrue []bool) PanelScores {
	var right int
	for i, p := range probs {
		if (p >= 0.5) == firstTrue[i] {
			right++
		}
	}
	return PanelScores{
		LogLoss:  LogLoss(probs, firstTrue),
		Brier:    Brier(probs, firstTrue),
		Accuracy: float64(right) / float64(len(probs)),
	}
}
