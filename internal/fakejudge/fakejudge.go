// Package fakejudge holds scripted judge behaviours for the llmfake server:
// a judge that follows content, one that always picks the first label shown,
// and one that obeys any instruction it finds outside the data fences. They
// read PersonaJudge's prompts the way a model would see them, so tests of
// position fairness and prompt injection go through the real wire path.
package fakejudge

import (
	"fmt"
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
