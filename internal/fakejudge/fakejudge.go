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
)

var reTag = regexp.MustCompile(`<<<(DATA-[0-9A-F]+) BEGIN`)

// Block is one fenced piece of data in a prompt.
type Block struct {
	Name, Text string
}

// Split returns the fenced blocks of the user message, and the text outside
// them (the instructions the service itself wrote).
func Split(req *llmfake.Request) (blocks []Block, outside string) {
	m := reTag.FindStringSubmatch(req.System())
	user := req.User()
	if m == nil {
		return nil, user
	}
	tag := regexp.QuoteMeta(m[1])
	re := regexp.MustCompile(`(?s)<<<` + tag + ` BEGIN ([^>]*)>>>\n(.*?)\n<<<` + tag + ` END ([^>]*)>>>`)
	var out strings.Builder
	last := 0
	for _, loc := range re.FindAllStringSubmatchIndex(user, -1) {
		name, end := user[loc[2]:loc[3]], user[loc[6]:loc[7]]
		if name != end {
			continue
		}
		out.WriteString(user[last:loc[0]])
		blocks = append(blocks, Block{Name: name, Text: user[loc[4]:loc[5]]})
		last = loc[1]
	}
	out.WriteString(user[last:])
	return blocks, out.String()
}

// BlockText returns the text of the named block.
func BlockText(blocks []Block, name string) (string, bool) {
	for _, b := range blocks {
		if b.Name == name {
			return b.Text, true
		}
	}
	return "", false
}

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
