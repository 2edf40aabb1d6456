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
	want := []Block{{"persona", "A frugal student."}, {"response A", "line one\nline two"}}
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
