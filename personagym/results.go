package personagym

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/personajudge/personajudge/eval"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// Result is one judged item of a run, reduced to what reports need.
type Result struct {
	ItemID  string
	Persona int
	Task    pb.AdherenceTaskKind
	// Question is the question's id within the persona and task ("q03").
	Question string
	Status   pb.JudgmentStatus
	// Reason says why an abstention or a judge error has no score.
	Reason string
	// Score is the judge's score (mean over orders and evaluators) when
	// Status is VERDICT. A judge error or abstention has none and never
	// counts as a score.
	Score *float64
	// Human is the item's human score when its dataset line carried one.
	Human *float64
}

// parseItemID reads "p007.ea.q03".
func parseItemID(id string) (persona int, task pb.AdherenceTaskKind, question string, ok bool) {
	parts := strings.Split(id, ".")
	if len(parts) != 3 || !strings.HasPrefix(parts[0], "p") || parts[2] == "" {
		return 0, 0, "", false
	}
	persona, err := strconv.Atoi(parts[0][1:])
	if err != nil {
		return 0, 0, "", false
	}
	task, ok = taskFromCode(parts[1])
	return persona, task, parts[2], ok
}

// ReadResults reads a run's results file; a torn last line (a kill mid
// write) is skipped, as the next run judges its item again.
func ReadResults(path string) ([]Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Result
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), maxLineBytes)
	var pendingErr error
	for n := 1; sc.Scan(); n++ {
		if pendingErr != nil {
			return nil, pendingErr
		}
		resp, label, err := eval.ParseResult(sc.Bytes())
		if err != nil {
			pendingErr = fmt.Errorf("%s:%d: %w", path, n, err) // fatal unless last
			continue
		}
		persona, task, question, ok := parseItemID(resp.ItemId)
		if !ok {
			return nil, fmt.Errorf("%s:%d: item id %q is not a PersonaGym item (p<persona>.<task>.q<question>)", path, n, resp.ItemId)
		}
		r := Result{ItemID: resp.ItemId, Persona: persona, Task: task, Question: question, Status: resp.Status}
		if resp.Status == pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT && resp.GetVerdict().Score != nil {
			r.Score = resp.Verdict.Score
		} else {
			r.Reason = resp.Reason
		}
		if label.GetScore() != 0 {
			r.Human = label.Score
		}
		out = append(out, r)
	}
	return out, sc.Err()
}
