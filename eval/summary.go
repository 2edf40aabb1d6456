package eval

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
	"github.com/personajudge/personajudge/metrics"
)

// Summary is what a run found. Quality figures cover every result in the
// results file, earlier runs' included, so a resumed evaluation reports on
// the whole dataset; cost figures (calls, tokens, time) cover this run only.
type Summary struct {
	ResultsFile string // Config.Results, named in the report

	// Every result in the results file.
	Results          int
	ByStatus         map[pb.JudgmentStatus]int
	Labelled         int     // results whose item carries a label
	LabelledVerdicts int     // of those, VERDICT results
	Correct          int     // of those, verdicts matching the label
	Voted            int     // VERDICT and ABSTAIN results: those with valid votes
	Consistent       int     // of those, results whose orders all agree
	ConsistencySum   float64 // their position consistency summed, for the mean
	HighCertainty    int     // results flagged high certainty
	HighLabelled     int     // of those, labelled verdicts
	HighCorrect      int     // of those, correct ones
	Calibrated       int     // results carrying a calibrated probability

	// With Config.RecordOutcomes: what RecordOutcomes said of the labels.
	Recorded, Unchanged int

	// This run.
	Judged                         int // items judged now
	Skipped                        int // items already in the results file
	Retried                        int // judge errors removed from the results file to be judged again
	Unmatched                      int // results for item_ids this run did not send
	LLMCalls, CacheHits            int64
	PromptTokens, CompletionTokens int64
	Wall                           time.Duration
	SimulatorCalls                 int64 // from Config.SimulatorCalls; -1 without it

	// reasons counts the reasons of JUDGE_ERROR and INVALID results.
	reasons map[string]int
	// figures collects every result for the metrics package's figures,
	// each with n and a bootstrap interval (figures.go); computed holds
	// them once computed, until the next result.
	figures  metrics.Collector
	computed map[string]metrics.Figure
	// points are the labelled verdicts the HTML report plots (html.go).
	points []reportPoint
	// slices counts results per caller tag ("tier=hard").
	slices map[string]*Slice

	collectOutcomes bool
	// With RecordOutcomes: the labels to record (labelled VERDICT results
	// with a judgment_id, earlier runs' and this one's), and why they were
	// not (all) recorded; "" when they were.
	outcomes     []*pb.Outcome
	outcomesNote string
}

func newSummary(cfg *Config) *Summary {
	return &Summary{
		ResultsFile:     cfg.Results,
		ByStatus:        map[pb.JudgmentStatus]int{},
		reasons:         map[string]int{},
		slices:          map[string]*Slice{},
		SimulatorCalls:  -1,
		collectOutcomes: cfg.RecordOutcomes,
	}
}

// add counts one result; thisRun says whether it was judged now.
func (s *Summary) add(r *pb.ScoreResponse, label *pb.Label, thisRun bool) {
	s.Results++
	s.ByStatus[r.Status]++
	// What counts as right is the judges' rule, so "correct" here means
	// what it means to calibrators fitted on the same labels.
	correct := judges.VerdictCorrect(r.Verdict, label)
	verdict := r.Status == pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT
	if r.Status == pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR || r.Status == pb.JudgmentStatus_JUDGMENT_STATUS_INVALID {
		s.reasons[failureReason(r.Reason)]++
	}
	s.figures.Add(r, label)
	s.computed = nil
	s.addReportPoint(r, label)
	for k, v := range r.Tags {
		sl := s.slices[k+"="+v]
		if sl == nil {
			sl = &Slice{Tag: k + "=" + v}
			s.slices[sl.Tag] = sl
		}
		sl.Results++
		if r.Status == pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR {
			sl.JudgeErrors++
		}
		if label != nil && verdict {
			sl.LabelledVerdicts++
			if correct {
				sl.Correct++
			}
		}
	}
	if label != nil {
		s.Labelled++
		if verdict {
			s.LabelledVerdicts++
			if correct {
				s.Correct++
			}
			if s.collectOutcomes && r.JudgmentId != "" {
				s.outcomes = append(s.outcomes, &pb.Outcome{JudgmentId: r.JudgmentId, Label: label})
			}
		}
	}
	if r.Status == pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT || r.Status == pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN {
		s.Voted++
		s.ConsistencySum += r.PositionConsistency
		if r.PositionConsistency == 1 {
			s.Consistent++
		}
	}
	if r.CalibratedProbability != nil {
		s.Calibrated++
	}
	if r.HighCertainty {
		s.HighCertainty++
		if label != nil && verdict {
			s.HighLabelled++
			if correct {
				s.HighCorrect++
			}
		}
	}
	if thisRun {
		s.Judged++
		s.LLMCalls += r.GetUsage().GetLlmCalls()
		s.CacheHits += r.GetUsage().GetCacheHits()
		s.PromptTokens += r.GetUsage().GetPromptTokens()
		s.CompletionTokens += r.GetUsage().GetCompletionTokens()
	}
}

func pct(a, b int) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}

// print writes the report Run ends with.
func (s *Summary) print(w io.Writer) {
	fmt.Fprintf(w, "eval summary: %d results in %s\n", s.Results, s.ResultsFile)
	fmt.Fprintf(w, "  status          ")
	for _, st := range []pb.JudgmentStatus{pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT, pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN, pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR, pb.JudgmentStatus_JUDGMENT_STATUS_INVALID} {
		fmt.Fprintf(w, "%s %d (%s)  ", strings.TrimPrefix(st.String(), "JUDGMENT_STATUS_"), s.ByStatus[st], pct(s.ByStatus[st], s.Results))
	}
	if n := s.ByStatus[pb.JudgmentStatus_JUDGMENT_STATUS_UNSPECIFIED]; n > 0 {
		fmt.Fprintf(w, "UNSPECIFIED %d", n)
	}
	fmt.Fprintln(w)
	s.printFigures(w)
	if top := s.topReasons(5); len(top) > 0 {
		fmt.Fprintf(w, "  failures        most frequent reasons of JUDGE_ERROR and INVALID results:\n")
		for _, r := range top {
			fmt.Fprintf(w, "    %6d  %s\n", r.n, r.reason)
		}
	}
	fmt.Fprintf(w, "this run: %d judged, %d skipped (already in --out)", s.Judged, s.Skipped)
	if s.Retried > 0 {
		fmt.Fprintf(w, ", %d judge errors judged again", s.Retried)
	}
	if s.Unmatched > 0 {
		fmt.Fprintf(w, ", %d results for unknown item_ids", s.Unmatched)
	}
	fmt.Fprintln(w)
	rate := 0.0
	if s.Wall > 0 {
		rate = float64(s.Judged) / s.Wall.Seconds()
	}
	fmt.Fprintf(w, "  wall time       %s, %.1f judgments/s\n", s.Wall.Round(time.Millisecond), rate)
	fmt.Fprintf(w, "  LLM calls       %d (cache hits %d)\n", s.LLMCalls, s.CacheHits)
	fmt.Fprintf(w, "  tokens          %d prompt + %d completion\n", s.PromptTokens, s.CompletionTokens)
	if s.collectOutcomes {
		if s.outcomesNote != "" {
			fmt.Fprintf(w, "  outcomes        %d recorded, %d unchanged of %d labelled verdicts; %s\n", s.Recorded, s.Unchanged, len(s.outcomes), s.outcomesNote)
		} else {
			fmt.Fprintf(w, "  outcomes        %d recorded, %d unchanged (labelled verdicts sent to RecordOutcomes)\n", s.Recorded, s.Unchanged)
		}
	}
	if s.SimulatorCalls >= 0 {
		fmt.Fprintf(w, "  simulator       %d HTTP requests received\n", s.SimulatorCalls)
	}
}

// failureReason is the reason a failure is counted under: the first clause
// of the result's reason (per-order details after it vary item by item),
// clipped.
func failureReason(reason string) string {
	if reason == "" {
		return "(no reason given)"
	}
	if i := strings.Index(reason, "; "); i > 0 {
		reason = reason[:i]
	}
	if len(reason) > 200 {
		reason = reason[:200] + "..."
	}
	return reason
}

type reasonCount struct {
	reason string
	n      int
}

// topReasons returns the k most frequent failure reasons, most frequent
// first (ties by reason, so the report is repeatable).
func (s *Summary) topReasons(k int) []reasonCount {
	out := make([]reasonCount, 0, len(s.reasons))
	for r, n := range s.reasons {
		out = append(out, reasonCount{r, n})
	}
	slices.SortFunc(out, func(a, b reasonCount) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return strings.Compare(a.reason, b.reason)
	})
	return out[:min(k, len(out))]
}
