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
	"regexp"
	"strings"
)

var reTag = regexp.MustCompile(`<<<(DATA-[0-9A-F]+) BEGIN`)

// Block is one fenced piece of data in a prompt.
type Block struct {
	Name, Text string
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
		blocks = append(blocks, Block{Name: name, Text: user[loc[4]:loc[5]]})
		last = loc[1]
	}
	out.WriteString(user[last:])
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
