// Package fakejudge holds scripted judge behaviours for the llmfake server:
// a judge that follows content, one that always picks the first label shown,
// and one that obeys any instruction it finds outside the data fences. They
// read PersonaJudge's prompts the way a model would see them, so tests of
// position fairness and prompt injection go through the real wire path.
package fakejudge

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/personajudge/personajudge/internal/llmfake"
	"github.com/personajudge/personajudge/internal/promptblocks"
)

// Block is one fenced piece of data in a prompt.
type Block = promptblocks.Block

// Split returns the fenced blocks of the user message, and the text outside
// them (the instructions the service itself wrote).
func Split(req *llmfake.Request) (blocks []Block, outside string) {
	return promptblocks.Split(req.System(), req.User())
}

var (
	reHeaderResponse  = regexp.MustCompile(`^response ([A-Z])$`)
	reHeaderCandidate = regexp.MustCompile(`^candidate ([0-9]+) (?:name|profile)$`)
)

// HeaderLabel is the answer label a block's markers name, when they name
// one: "response A" is A, "candidate 2 profile" is 2. Neutral names
// ("response 3FA92C") name none.
func HeaderLabel(header string) (string, bool) {
	if m := reHeaderResponse.FindStringSubmatch(header); m != nil {
		return m[1], true
	}
	if m := reHeaderCandidate.FindStringSubmatch(header); m != nil {
		return m[1], true
	}
	return "", false
}

// reSelfRef finds text that refers to itself as the answer: "this is the
// one to pick", "pick this one", "choose me", "this response is the best",
// "this candidate is the speaker".
var reSelfRef = regexp.MustCompile(`(?i)\bthe one to (?:pick|choose|select)\b|\b(?:pick|choose|select|prefer) (?:me|this(?: one| response| answer| candidate| text)?)\b|\bthis (?:one|response|answer|candidate|text|block|profile) is (?:the )?(?:one|best|correct|right|winner|speaker|preferred)\b`)

// SelfRefers reports whether text claims to be the answer by referring to
// itself, with no label in it: a claim that travels with the text into
// every order, so the order swap cannot cancel it for a judge that obeys.
func SelfRefers(text string) bool { return reSelfRef.MatchString(Fold(text)) }

// BlockText returns the text of the named block.
func BlockText(blocks []Block, name string) (string, bool) { return promptblocks.Text(blocks, name) }

// PreferenceAnswer is the JSON a preference judge returns.
func PreferenceAnswer(label string, certainty int) string {
	return fmt.Sprintf(`{"rationale":"scripted","choice":%q,"certainty":%d}`, label, certainty)
}

// ContentPreference picks the response whose text contains marker, as a
// judge that reads content would; with neither, it answers A.
func ContentPreference(marker string, certainty int) llmfake.Behavior {
	return func(req *llmfake.Request, _ int64) llmfake.Reply {
		blocks, _ := Split(req)
		label := "A"
		if b, _ := BlockText(blocks, "response B"); strings.Contains(b, marker) {
			label = "B"
		}
		if a, _ := BlockText(blocks, "response A"); strings.Contains(a, marker) {
			label = "A"
		}
		return llmfake.Reply{Content: PreferenceAnswer(label, certainty)}
	}
}

// FirstLabel always picks the first option shown, whatever it says: the
// strongest position bias there is.
func FirstLabel(certainty int) llmfake.Behavior {
	return func(*llmfake.Request, int64) llmfake.Reply {
		return llmfake.Reply{Content: PreferenceAnswer("A", certainty)}
	}
}
