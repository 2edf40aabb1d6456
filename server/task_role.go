package server

import (
	"fmt"
	"strings"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
)

// Role-identification limits. Every candidate is shown in every order, so
// K and the profile size multiply the prompt cost of one judgment; the
// dialogue is context, bounded well above a scene's length.
const (
	MinCandidates         = 2
	MaxCandidates         = 10
	MaxDialogueTurns      = 200
	MaxSpeakerBytes       = 200
	MaxUtteranceBytes     = 8_000 // a turn's text, its inner thought, the target
	MaxCandidateNameBytes = 200
	MaxRoleProfileBytes   = 16_000
)

func roleIdentificationTask(t *pb.RoleIdentificationTask, check bool) (judges.Task, *fieldError) {
	if !check {
		return &judges.RoleIdentification{Item: t}, nil
	}
	if fe := validateRoleIdentification(t); fe != nil {
		return nil, fe
	}
	return &judges.RoleIdentification{Item: t}, nil
}

func validateRoleIdentification(t *pb.RoleIdentificationTask) *fieldError {
	const f = "role_identification."
	if n := len(t.Candidates); n < MinCandidates || n > MaxCandidates {
		return badField(f+"candidates", "needs %d to %d candidates, got %d", MinCandidates, MaxCandidates, n)
	}
	if n := len(t.Dialogue); n > MaxDialogueTurns {
		return badField(f+"dialogue", "at most %d turns, got %d", MaxDialogueTurns, n)
	}
	for i, turn := range t.Dialogue {
		at := fmt.Sprintf("%sdialogue[%d].", f, i)
		if err := checkText(at+"speaker", turn.Speaker, MaxSpeakerBytes, false); err != nil {
			return err
		}
		if err := checkText(at+"text", turn.Text, MaxUtteranceBytes, true); err != nil {
			return err
		}
		if err := checkText(at+"inner_thought", turn.InnerThought, MaxUtteranceBytes, false); err != nil {
			return err
		}
	}
	if err := checkText(f+"target_utterance", t.TargetUtterance, MaxUtteranceBytes, true); err != nil {
		return err
	}
	seen := map[string]int{}
	for i, c := range t.Candidates {
		at := fmt.Sprintf("%scandidates[%d].", f, i)
		if err := checkText(at+"name", c.Name, MaxCandidateNameBytes, true); err != nil {
			return err
		}
		if strings.ContainsAny(c.Name, "\r\n") {
			return badField(at+"name", "must be a single line")
		}
		key := strings.ToLower(strings.TrimSpace(c.Name))
		if j, dup := seen[key]; dup {
			return badField(at+"name", "%q duplicates candidates[%d].name (names are compared ignoring case)", clip(c.Name, 64), j)
		}
		seen[key] = i
		if err := checkText(at+"profile", c.Profile, MaxRoleProfileBytes, true); err != nil {
			return err
		}
	}
	if i, ok := leakedSpeaker(t.TargetUtterance, t.Candidates); ok {
		return badField(f+"target_utterance", "begins with candidates[%d].name followed by ':'; the target must not name its speaker", i)
	}
	return nil
}

// leakedSpeaker reports whether the target opens with a speaker tag naming
// a candidate ("Alice: ...", "[Alice]: ...", "Alice：..."). The schema keeps
// the target's speaker out of the request on purpose; a tag in the text
// would hand the judge the answer and make the judgment meaningless.
func leakedSpeaker(target string, cands []*pb.CandidateRole) (int, bool) {
	// Wrappers such as "[Name]:" or "**Name**:" are trimmed from both sides,
	// so a name that itself starts with one cannot slip past.
	const openers = `[(*"'`
	s := strings.ToLower(strings.TrimLeft(strings.TrimSpace(target), openers))
	for i, c := range cands {
		name := strings.ToLower(strings.TrimLeft(strings.TrimSpace(c.Name), openers))
		if name == "" {
			continue
		}
		rest, ok := strings.CutPrefix(s, name)
		if !ok {
			continue
		}
		rest = strings.TrimLeft(rest, `])*"' `+"\t")
		if strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "：") || strings.HasPrefix(rest, "﹕") {
			return i, true
		}
	}
	return 0, false
}
