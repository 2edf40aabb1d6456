package judges

// CascadeReport is what a fitted cascade does on a set of labelled items:
// how many it answers and how often rightly, which stage answers them, and
// what it costs against always asking the last stage.
type CascadeReport struct {
	Items     int          `json:"items"`
	Answered  int          `json:"answered"`
	Coverage  float64      `json:"coverage"`
	Agreement float64      `json:"agreement"` // on answered items; 0 when none
	Stages    []StageShare `json:"stages"`
	// CallsPerItem and TokensPerItem are what the cascade spent per item
	// (every stage an item reached); LastStage* what asking only the last
	// stage would have spent.
	CallsPerItem           float64 `json:"calls_per_item"`
	TokensPerItem          float64 `json:"tokens_per_item"`
	LastStageCallsPerItem  float64 `json:"last_stage_calls_per_item"`
	LastStageTokensPerItem float64 `json:"last_stage_tokens_per_item"`
	// LastStageAgreement is the last stage's agreement over its verdicts on
	// every item, for comparison.
	LastStageAgreement float64 `json:"last_stage_agreement"`
}

// StageShare is one stage's part in a report.
type StageShare struct {
	Name string `json:"name"`
	// Reached counts items the stage judged; Answered those it answered.
	Reached  int `json:"reached"`
	Answered int `json:"answered"`
	// Share is Answered over all items; ReachedShare is Reached over all
	// items (for the last stage: its calls against always using it).
	Share        float64 `json:"share"`
	ReachedShare float64 `json:"reached_share"`
	Agreement    float64 `json:"agreement"`
}

// Evaluate runs the policy over labelled items (with every stage's record)
// and reports it.
func (p CascadePolicy) Evaluate(items []CascadeItem) CascadeReport {
	r := CascadeReport{Stages: make([]StageShare, len(p.Stages))}
	for s, st := range p.Stages {
		r.Stages[s].Name = st.Name
	}
	last := len(p.Stages) - 1
	right := 0
	rightBy := make([]int, len(p.Stages))
	var lastRight, lastVerdicts int
	var calls, tokens, lastCalls, lastTokens int64
	for _, it := range items {
		if len(it.Stages) != len(p.Stages) {
			continue
		}
		r.Items++
		s := p.Route(it)
		reached := s
		if s < 0 {
			reached = last
		}
		for i := 0; i <= reached; i++ {
			r.Stages[i].Reached++
			calls += it.Stages[i].Calls
			tokens += it.Stages[i].Tokens
		}
		lr := it.Stages[last]
		lastCalls += lr.Calls
		lastTokens += lr.Tokens
		if lr.Verdict {
			lastVerdicts++
			if lr.Correct {
				lastRight++
			}
		}
		if s < 0 {
			continue
		}
		r.Answered++
		r.Stages[s].Answered++
		if it.Stages[s].Correct {
			right++
			rightBy[s]++
		}
	}
	if r.Items == 0 {
		return r
	}
	n := float64(r.Items)
	r.Coverage = float64(r.Answered) / n
	r.Agreement = ratio(right, r.Answered)
	for s := range r.Stages {
		r.Stages[s].Share = float64(r.Stages[s].Answered) / n
		r.Stages[s].ReachedShare = float64(r.Stages[s].Reached) / n
		r.Stages[s].Agreement = ratio(rightBy[s], r.Stages[s].Answered)
	}
	r.CallsPerItem, r.TokensPerItem = float64(calls)/n, float64(tokens)/n
	r.LastStageCallsPerItem, r.LastStageTokensPerItem = float64(lastCalls)/n, float64(lastTokens)/n
	r.LastStageAgreement = ratio(lastRight, lastVerdicts)
	return r
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
