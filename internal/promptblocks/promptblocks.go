// Package promptblocks reads a PersonaJudge prompt the way a model sees it:
// the system message names a random fence tag (DATA-<hex>), and the user
// message holds the item's data between matching
//
//	<<<DATA-<hex> BEGIN name>>>
//	...
//	<<<DATA-<hex> END name>>>
//
// lines. The test fakes and the judge simulator both find an item's parts
// with it.
package promptblocks

import (
	"fmt"
	"regexp"
	"strings"
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
// them (the instructions the service itself wrote). The fence tag is the
// one the system message announces; without one, there are no blocks and
// all of user is outside. A block whose END name differs from its BEGIN
// name is not a block.
func Split(system, user string) (blocks []Block, outside string) {
	m := reTag.FindStringSubmatch(system)
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

// Text returns the text of the named block.
func Text(blocks []Block, name string) (string, bool) {
	for _, b := range blocks {
		if b.Name == name {
			return b.Text, true
		}
	}
	return "", false
}
