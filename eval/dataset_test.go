package eval

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseDatasetLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, line string
		wantLabel  bool
		wantErr    string
	}{
		{"labelled", `{"request":{"itemId":"x","preference":{"persona":"p","query":"q","responseA":"a","responseB":"b"}},"label":{"choice":1}}`, true, ""},
		{"unlabelled", `{"request":{"item_id":"x","preference":{"persona":"p"}}}`, false, ""},
		{"null label", `{"request":{"itemId":"x"},"label":null}`, false, ""},
		{"extra fields are ignored", `{"request":{"itemId":"x"},"source":"hand-made"}`, false, ""},
		{"no request", `{"label":{"choice":1}}`, false, `no "request"`},
		{"no item id", `{"request":{"preference":{}}}`, false, "itemId must be set"},
		{"bad request field", `{"request":{"itemId":"x","persona":"p"}}`, false, "request:"},
		{"bad label", `{"request":{"itemId":"x"},"label":{"choice":"one"}}`, false, "label:"},
		{"not JSON", `request=x`, false, "invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			items, err := parseDatasetLine([]byte(tc.line))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(items) != 1 || items[0].Request.ItemId != "x" || (items[0].Label != nil) != tc.wantLabel {
				t.Fatalf("items %v err %v", items, err)
			}
		})
	}
}

func TestCountTodoRejectsDuplicateIDs(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "in.jsonl")
	line := `{"request":{"itemId":"x"}}` + "\n"
	os.WriteFile(path, []byte(line+line), 0o644)
	if _, _, err := countTodo(path, nil); err == nil || !strings.Contains(err.Error(), "appears twice") {
		t.Fatalf("err %v", err)
	}
	os.WriteFile(path, []byte(line+"\n"+`{"request":{"itemId":"y"}}`), 0o644)
	todo, skipped, err := countTodo(path, map[string]bool{"x": true})
	if err != nil || todo != 1 || skipped != 1 {
		t.Fatalf("todo %d skipped %d err %v", todo, skipped, err)
	}
}
