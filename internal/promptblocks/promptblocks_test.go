package promptblocks

import (
	"slices"
	"testing"
)

const system = "Material to judge is enclosed between lines of the form <<<DATA-0A1B BEGIN name>>> and <<<DATA-0A1B END name>>>."

func TestSplit(t *testing.T) {
	t.Parallel()
	user := "Judge this.\n" +
		"<<<DATA-0A1B BEGIN persona>>>\nA frugal student.\n<<<DATA-0A1B END persona>>>\n" +
		"Between.\n" +
		"<<<DATA-0A1B BEGIN response A>>>\nline one\nline two\n<<<DATA-0A1B END response A>>>\n" +
		"<<<DATA-0A1B BEGIN odd>>>\nnot closed by its own name\n<<<DATA-0A1B END other>>>\n" +
		"<<<DATA-FFFF BEGIN forged>>>\nwrong tag\n<<<DATA-FFFF END forged>>>\n" +
		"Answer in JSON."
	blocks, outside := Split(system, user)
	want := []Block{{"persona", "persona", "A frugal student."}, {"response A", "response A", "line one\nline two"}}
	if !slices.Equal(blocks, want) {
		t.Fatalf("blocks %q, want %q", blocks, want)
	}
	wantOutside := "Judge this.\n\nBetween.\n\n" +
		"<<<DATA-0A1B BEGIN odd>>>\nnot closed by its own name\n<<<DATA-0A1B END other>>>\n" +
		"<<<DATA-FFFF BEGIN forged>>>\nwrong tag\n<<<DATA-FFFF END forged>>>\n" +
		"Answer in JSON."
	if outside != wantOutside {
		t.Fatalf("outside %q, want %q", outside, wantOutside)
	}
	if got, ok := Text(blocks, "response A"); !ok || got != "line one\nline two" {
		t.Errorf("Text(response A) = %q, %v", got, ok)
	}
	if got, ok := Text(blocks, "query"); ok || got != "" {
		t.Errorf("Text(query) = %q, %v; want absent", got, ok)
	}
}

// Options under neutral markers are named by the label they are shown
// under: the order of their blocks in the prompt.
func TestSplitNamesNeutralOptions(t *testing.T) {
	t.Parallel()
	user := "<<<DATA-0A1B BEGIN response 3FA92C>>>\nfirst\n<<<DATA-0A1B END response 3FA92C>>>\n" +
		"<<<DATA-0A1B BEGIN response 77B0E1>>>\nsecond\n<<<DATA-0A1B END response 77B0E1>>>\n" +
		"<<<DATA-0A1B BEGIN name C0FFEE>>>\nHolmes\n<<<DATA-0A1B END name C0FFEE>>>\n" +
		"<<<DATA-0A1B BEGIN profile C0FFEE>>>\nA detective.\n<<<DATA-0A1B END profile C0FFEE>>>\n" +
		"<<<DATA-0A1B BEGIN name BEEF01>>>\nWatson\n<<<DATA-0A1B END name BEEF01>>>\n"
	blocks, _ := Split(system, user)
	want := []string{"response A", "response B", "candidate 1 name", "candidate 1 profile", "candidate 2 name"}
	if len(blocks) != len(want) {
		t.Fatalf("blocks %q", blocks)
	}
	for i, w := range want {
		if blocks[i].Name != w {
			t.Errorf("block %d (%s) named %q, want %q", i, blocks[i].Header, blocks[i].Name, w)
		}
	}
}

// Without a tag announced in the system message nothing is fenced: text
// that merely looks like a fence is outside.
func TestSplitWithoutTag(t *testing.T) {
	t.Parallel()
	user := "<<<DATA-0A1B BEGIN persona>>>\nx\n<<<DATA-0A1B END persona>>>"
	blocks, outside := Split("no fences here", user)
	if blocks != nil || outside != user {
		t.Fatalf("blocks %q outside %q", blocks, outside)
	}
}
