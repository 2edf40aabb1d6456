package realdata

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Outcome is one recorded binary judgment with a stated certainty.
type Outcome struct {
	Profile   string // task/persona features/judge model
	Key       string // identifies the row: source file and row index
	Answer    int    // 0 for A, 1 for B
	Certainty int    // 1..100
	Correct   bool
}

// ReadPersonalizedJudge reads judgments.csv of the Personalized-Judge
// extract: rows of setting with_persona_certainty answered A or B, profile
// task/persona_features/judge_model (so upstream files re-run for the same
// setting pool into one profile), a missing certainty read as 1 and one
// outside 1..100 clamped, as the paper's notebook does.
func ReadPersonalizedJudge(r io.Reader) ([]Outcome, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, want := range []string{"source_file", "task", "setting", "persona_features", "judge_model", "row", "answer", "certainty", "correct"} {
		if _, ok := col[want]; !ok {
			return nil, fmt.Errorf("header: no column %q", want)
		}
	}
	var out []Outcome
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		get := func(c string) string { return rec[col[c]] }
		answer := map[string]int{"A": 0, "B": 1}
		a, ok := answer[get("answer")]
		if get("setting") != "with_persona_certainty" || !ok {
			continue
		}
		c, err := strconv.ParseFloat(get("certainty"), 64)
		if err != nil {
			c = 1
		}
		out = append(out, Outcome{
			Profile:   get("task") + "/" + get("persona_features") + "/" + get("judge_model"),
			Key:       get("source_file") + "#" + get("row"),
			Answer:    a,
			Certainty: int(min(max(c, 1), 100)),
			Correct:   get("correct") == "1",
		})
	}
}

// Split puts each outcome in the fit half or the held-out half by a salted
// hash of its key, so the split is fixed by the salt alone and does not
// depend on the order of the file.
func Split(all []Outcome, salt string) (fit, heldOut []Outcome) {
	for _, o := range all {
		h := sha256.Sum256([]byte(salt + "\x00" + o.Key))
		if binary.BigEndian.Uint64(h[:8])%2 == 0 {
			fit = append(fit, o)
		} else {
			heldOut = append(heldOut, o)
		}
	}
	return fit, heldOut
}

// ByProfile groups outcomes by profile, keeping profiles with at least min.
func ByProfile(all []Outcome, min int) map[string][]Outcome {
	g := map[string][]Outcome{}
	for _, o := range all {
		g[o.Profile] = append(g[o.Profile], o)
	}
	for p, os := range g {
		if len(os) < min {
			delete(g, p)
		}
	}
	return g
}
