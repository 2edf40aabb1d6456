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
		// Compared as the leak checks read names (folded: case, look-alike
		// letters, invisible characters, wrapping brackets), so two
		// candidates the judge could not tell apart are refused.
		key := nameCore(c.Name)
		if j, dup := seen[key]; dup {
			return badField(at+"name", "%q duplicates candidates[%d].name (names are compared ignoring case, look-alike letters, invisible characters and brackets)", clip(c.Name, 64), j)
		}
		seen[key] = i
		if err := checkText(at+"profile", c.Profile, MaxRoleProfileBytes, true); err != nil {
			return err
		}
	}
	if i, ok := leakedSpeaker(t.TargetUtterance, t.Candidates); ok {
		return badField(f+"target_utterance", "opens with a speaker tag naming candidates[%d].name (ignoring case, look-alike letters and invisible characters); the target must not name its speaker", i)
	}
	if turn, field, i, ok := leakedTurn(t); ok {
		return badField(fmt.Sprintf("%sdialogue[%d].%s", f, turn, field), "gives candidates[%d].name the target utterance itself; the target's speaker must stay hidden", i)
	}
	return nil
}

// leakedSpeaker reports whether the target opens with a speaker tag naming
// a candidate: "Alice: ...", "[Alice] ...", "Alice says: ...", "Alice
// (aside): ...", "**Alice**: ...". The schema keeps the target's speaker
// out of the request on purpose; a tag in the text would hand the judge the
// answer and make the judgment meaningless. Texts are compared folded
// (speaker.go), so look-alike letters, invisible characters and fullwidth
// forms do not hide a tag.
func leakedSpeaker(target string, cands []*pb.CandidateRole) (int, bool) {
	s := foldText(target)
	for i, c := range cands {
		if name := nameCore(c.Name); name != "" && tagNames(s, name) {
			return i, true
		}
	}
	return 0, false
}

// leakedTurn reports a dialogue turn that gives a candidate the target
// line itself (its text or inner thought; see repeatsLine): the judge
// would find the answer in the dialogue. It returns the turn, the field and
// the candidate.
func leakedTurn(t *pb.RoleIdentificationTask) (turn int, field string, cand int, ok bool) {
	names := make([]string, len(t.Candidates))
	for i, c := range t.Candidates {
		names[i] = nameCore(c.Name)
	}
	for ti, d := range t.Dialogue {
		speaker := nameCore(d.Speaker)
		if speaker == "" {
			continue
		}
		for ci, name := range names {
			if name != speaker {
				continue
			}
			if repeatsLine(d.Text, t.TargetUtterance) {
				return ti, "text", ci, true
			}
			if d.InnerThought != "" && repeatsLine(d.InnerThought, t.TargetUtterance) {
				return ti, "inner_thought", ci, true
			}
		}
	}
	return 0, "", 0, false
}
