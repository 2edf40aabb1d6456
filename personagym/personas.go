package personagym

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
)

// Persona is one line of a personas file: the persona description and,
// per task, its questions. Questions is nil when the line gives none, and
// the generator writes them.
type Persona struct {
	Line        int // 1-based line in the file, for messages
	Description string
	Questions   map[pb.AdherenceTaskKind][]string
}

// maxLineBytes bounds one personas line; the benchmark's longest is ~20 KB.
const maxLineBytes = 4 << 20

// ReadPersonas reads a personas file in the benchmark's format, one JSON
// object a line:
//
//	{"persona": "A retired sea captain ...", "questions": {"Expected Action": ["...", ...], ...}}
//
// A line that gives questions must give all five tasks, each with at least
// one non-empty question; a line without "questions" has them generated.
// Every error names the line and the field. Blank lines are skipped.
func ReadPersonas(path string) ([]Persona, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Persona
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), maxLineBytes)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		p, err := parsePersona(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		p.Line = n
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no personas", path)
	}
	return out, nil
}

func parsePersona(line []byte) (Persona, error) {
	var raw struct {
		Persona   *string                    `json:"persona"`
		Questions map[string]json.RawMessage `json:"questions"`
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return Persona{}, err
	}
	if raw.Persona == nil || strings.TrimSpace(*raw.Persona) == "" {
		return Persona{}, errors.New(`"persona" must be a non-empty string`)
	}
	p := Persona{Description: *raw.Persona}
	if raw.Questions == nil {
		return p, nil
	}
	p.Questions = map[pb.AdherenceTaskKind][]string{}
	for name, msg := range raw.Questions {
		task, err := parseTask(name)
		if err != nil {
			return Persona{}, fmt.Errorf("questions: %w", err)
		}
		var qs []string
		if err := json.Unmarshal(msg, &qs); err != nil {
			return Persona{}, fmt.Errorf("questions[%q]: want a list of strings: %w", name, err)
		}
		if len(qs) == 0 {
			return Persona{}, fmt.Errorf("questions[%q]: no questions", name)
		}
		for i, q := range qs {
			if strings.TrimSpace(q) == "" {
				return Persona{}, fmt.Errorf("questions[%q][%d]: empty question", name, i)
			}
		}
		p.Questions[task] = qs
	}
	for _, t := range judges.AdherenceTasks {
		if _, ok := p.Questions[t]; !ok {
			return Persona{}, fmt.Errorf("questions: task %q is missing (a line that gives questions gives all five tasks)", TaskName(t))
		}
	}
	return p, nil
}
