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
	// Name is what the block is in the prompt: "persona", "response A",
	// "candidate 2 profile". For the options, whose markers carry neutral
	// names ("response 3FA92C", "name 3FA92C"), it is the label the prompt
	// shows them under, read from their order in the prompt as a reader
	// would: the first response block is response A, the candidate blocks
	// with the second id are candidate 2.
	Name string
	// Header is the name the block's markers carry.
	Header string
	Text   string
}

// reNeutral matches the markers' names of options shown under neutral ids.
var reNeutral = regexp.MustCompile(`^(response|name|profile) ([0-9A-F]{6,})$`)

// labelBlocks names option blocks with neutral headers by the label they
// are shown under.
func labelBlocks(blocks []Block) {
	responses := 0
	candidate := map[string]int{}
	for i, b := range blocks {
		m := reNeutral.FindStringSubmatch(b.Header)
		if m == nil {
			continue
		}
		switch m[1] {
		case "response":
			blocks[i].Name = fmt.Sprintf("response %c", 'A'+responses)
			responses++
		default:
			n, ok := candidate[m[2]]
			if !ok {
				n = len(candidate) + 1
				candidate[m[2]] = n
			}
			blocks[i].Name = fmt.Sprintf("candidate %d %s", n, m[1])
		}
	}
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
		blocks = append(blocks, Block{Name: name, Header: name, Text: user[loc[4]:loc[5]]})
		last = loc[1]
	}
	out.WriteString(user[last:])
	labelBlocks(blocks)
	return blocks, out.String()
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
