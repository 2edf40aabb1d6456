package audit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/personajudge/personajudge/eval"
)

// Each item with a persona comes out once as it is and once per attribute,
// tagged; an item without a persona is left out.
func TestExpand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	lines := `{"request":{"itemId":"p1","preference":{"persona":"A cook.","query":"q","responseA":"a","responseB":"b"}},"label":{"choice":0}}
{"request":{"itemId":"r1","roleIdentification":{"targetUtterance":"hi","candidates":[{"name":"A"},{"name":"B"}]}}}
`
	if err := os.WriteFile(in, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.jsonl")
	n, skipped, err := Expand(in, out, []string{"Their name is Alex.", "They like tea."})
	if err != nil || n != 3 || skipped != 1 {
		t.Fatalf("Expand = %d written, %d skipped, %v; want 3, 1", n, skipped, err)
	}
	var got []eval.Item
	if err := eval.ReadDataset(out, func(it eval.Item) error { got = append(got, it); return nil }); err != nil {
		t.Fatal(err)
	}
	if got[0].Request.ItemId != "p1" || got[0].Request.Tags[BaseTag] != "p1" || got[0].Request.Tags[AttributeTag] != "" {
		t.Errorf("original %v", got[0].Request)
	}
	c := got[2]
	if c.Request.ItemId != "p1~a1" || c.Request.Tags[AttributeTag] != "They like tea." || c.Label.GetChoice() != 0 ||
		!strings.HasSuffix(c.Request.GetPreference().Persona, "A cook. They like tea.") {
		t.Errorf("perturbed copy %v, label %v", c.Request, c.Label)
	}
	if _, _, err := Expand(in, out, nil); err == nil {
		t.Error("no attributes: no error")
	}
}
