package eval

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

// A line with persona variants becomes one tagged item per variant, the
// empty one the no-persona control; the summary sets them side by side.
func TestPersonaVariants(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "items.jsonl")
	line := `{"request":{"itemId":"x","preference":{"query":"q","responseA":"a","responseB":"b"}},"label":{"choice":1},` +
		`"personaVariants":{"all":"A vegan runner who cooks.","key":"A vegan.","none":""}}` + "\n"
	if err := os.WriteFile(path, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	var items []Item
	if err := ReadDataset(path, func(it Item) error { items = append(items, it); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 || items[0].Request.ItemId != "x#all" || items[1].Request.GetPreference().Persona != "A vegan." ||
		!items[2].Request.GetPreference().WithoutPersona || items[2].Request.Tags[PersonaVariantTag] != "none" || items[2].Label.GetChoice() != 1 {
		t.Fatalf("items %v", items)
	}
	bad := `{"request":{"itemId":"r","roleIdentification":{"targetUtterance":"hi"}},"personaVariants":{"all":"x"}}` + "\n"
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := ReadDataset(path, func(Item) error { return nil }); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("variants on a role item: %v", err)
	}

	s := newSummary(&Config{Results: "r.jsonl"})
	for i, it := range items {
		r := &pb.ScoreResponse{ItemId: it.Request.ItemId, Status: pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT,
			Verdict: &pb.Verdict{Choice: proto.Int32(int32(min(i, 1)))}, Tags: it.Request.Tags}
		s.add(r, it.Label, true)
	}
	var buf bytes.Buffer
	s.print(&buf)
	for _, want := range []string{"persona variants side by side", "all              accuracy 0.0000", "none             accuracy 1.0000"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, buf.String())
		}
	}
}
