package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/store"
)

// evalStats accumulates the summary. Quality figures cover every result in
// --out, earlier runs' included, so a resumed evaluation reports on the
// whole dataset; cost figures (calls, tokens, time) cover this run only.
type evalStats struct {
	results  int
	byStatus map[pb.JudgmentStatus]int

	labelled, labelledVerdicts, correct int
	judged, consistent                  int // results with valid votes; of them, orders all agreeing
	consistencySum                      float64
	high, highLabelled, highCorrect     int
	calibrated                          int

	// With --record-outcomes: the labels to record (labelled VERDICT
	// results with a judgment_id, from --out and this run), and what the
	// service said of them.
	collectOutcomes     bool
	outcomes            []*pb.Outcome
	recorded, unchanged int
	outcomesNote        string // why they were not (all) recorded; "" when they were

	// This run.
	skipped, retried, unmatched       int
	run                               int
	llmCalls, cacheHits, prompt, comp int64
	wall                              time.Duration
	simCalls                          int64 // calls the in-process simulator received; -1 when none
}

func newEvalStats() *evalStats {
	return &evalStats{byStatus: map[pb.JudgmentStatus]int{}, simCalls: -1}
}

// add counts one result; thisRun says whether it was judged now.
func (s *evalStats) add(r *pb.ScoreResponse, label *pb.Label, thisRun bool) {
	s.results++
	s.byStatus[r.Status]++
	correct := store.VerdictCorrect(r.Verdict, label)
	verdict := r.Status == pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT
	if label != nil {
		s.labelled++
		if verdict {
			s.labelledVerdicts++
			if correct {
				s.correct++
			}
			if s.collectOutcomes && r.JudgmentId != "" {
				s.outcomes = append(s.outcomes, &pb.Outcome{JudgmentId: r.JudgmentId, Label: label})
			}
		}
	}
	if r.Status == pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT || r.Status == pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN {
		s.judged++
		s.consistencySum += r.PositionConsistency
		if r.PositionConsistency == 1 {
			s.consistent++
		}
	}
	if r.CalibratedProbability != nil {
		s.calibrated++
	}
	if r.HighCertainty {
		s.high++
		if label != nil && verdict {
			s.highLabelled++
			if correct {
				s.highCorrect++
			}
		}
	}
	if thisRun {
		s.run++
		s.llmCalls += r.GetUsage().GetLlmCalls()
		s.cacheHits += r.GetUsage().GetCacheHits()
		s.prompt += r.GetUsage().GetPromptTokens()
		s.comp += r.GetUsage().GetCompletionTokens()
	}
}

func ratio(a, b int) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.4f", float64(a)/float64(b))
}

func pct(a, b int) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}

func (s *evalStats) print(w io.Writer, out string) {
	fmt.Fprintf(w, "eval summary: %d results in %s\n", s.results, out)
	fmt.Fprintf(w, "  status          ")
	for _, st := range []pb.JudgmentStatus{pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT, pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN, pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR, pb.JudgmentStatus_JUDGMENT_STATUS_INVALID} {
		fmt.Fprintf(w, "%s %d (%s)  ", strings.TrimPrefix(st.String(), "JUDGMENT_STATUS_"), s.byStatus[st], pct(s.byStatus[st], s.results))
	}
	if n := s.byStatus[pb.JudgmentStatus_JUDGMENT_STATUS_UNSPECIFIED]; n > 0 {
		fmt.Fprintf(w, "UNSPECIFIED %d", n)
	}
	fmt.Fprintln(w)
	if s.labelled > 0 {
		fmt.Fprintf(w, "  accuracy        %s on %d labelled verdicts; coverage %s of %d labelled items; %s of all labelled items right\n",
			ratio(s.correct, s.labelledVerdicts), s.labelledVerdicts, ratio(s.labelledVerdicts, s.labelled), s.labelled, ratio(s.correct, s.labelled))
	} else {
		fmt.Fprintf(w, "  accuracy        n/a (no item carries a label)\n")
	}
	mean := "n/a"
	if s.judged > 0 {
		mean = fmt.Sprintf("%.4f", s.consistencySum/float64(s.judged))
	}
	fmt.Fprintf(w, "  consistency     mean %s; every order agrees in %s of %d judged items\n", mean, pct(s.consistent, s.judged), s.judged)
	fmt.Fprintf(w, "  high certainty  %d results, coverage %s; accuracy %s on %d labelled (%d results carry a calibrated probability)\n",
		s.high, ratio(s.high, s.results), ratio(s.highCorrect, s.highLabelled), s.highLabelled, s.calibrated)
	fmt.Fprintf(w, "this run: %d judged, %d skipped (already in --out)", s.run, s.skipped)
	if s.retried > 0 {
		fmt.Fprintf(w, ", %d judge errors judged again", s.retried)
	}
	if s.unmatched > 0 {
		fmt.Fprintf(w, ", %d results for unknown item_ids", s.unmatched)
	}
	fmt.Fprintln(w)
	rate := 0.0
	if s.wall > 0 {
		rate = float64(s.run) / s.wall.Seconds()
	}
	fmt.Fprintf(w, "  wall time       %s, %.1f judgments/s\n", s.wall.Round(time.Millisecond), rate)
	fmt.Fprintf(w, "  LLM calls       %d (cache hits %d)\n", s.llmCalls, s.cacheHits)
	fmt.Fprintf(w, "  tokens          %d prompt + %d completion\n", s.prompt, s.comp)
	if s.collectOutcomes {
		if s.outcomesNote != "" {
			fmt.Fprintf(w, "  outcomes        %d recorded, %d unchanged of %d labelled verdicts; %s\n", s.recorded, s.unchanged, len(s.outcomes), s.outcomesNote)
		} else {
			fmt.Fprintf(w, "  outcomes        %d recorded, %d unchanged (labelled verdicts sent to RecordOutcomes)\n", s.recorded, s.unchanged)
		}
	}
	if s.simCalls >= 0 {
		fmt.Fprintf(w, "  simulator       %d HTTP requests received\n", s.simCalls)
	}
}
