package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// readDataset parses generated lines the way `eval` reads them.
func readDataset(t *testing.T, b []byte) []Item {
	t.Helper()
	var items []Item
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line struct {
			Request json.RawMessage `json:"request"`
			Label   json.RawMessage `json:"label"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("line %d: %v", len(items)+1, err)
		}
		it := Item{Request: &pb.ScoreRequest{}, Label: &pb.Label{}}
		if err := protojson.Unmarshal(line.Request, it.Request); err != nil {
			t.Fatalf("line %d request: %v", len(items)+1, err)
		}
		if err := protojson.Unmarshal(line.Label, it.Label); err != nil {
			t.Fatalf("line %d label: %v", len(items)+1, err)
		}
		items = append(items, it)
	}
	return items
}

func TestGenerateWritesDistinctLabelledItems(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := Generate(&buf, 500, 1); err != nil {
		t.Fatal(err)
	}
	items := readDataset(t, buf.Bytes())
	if len(items) != 500 {
		t.Fatalf("%d items, want 500", len(items))
	}
	ids, keys := map[string]bool{}, map[Key]bool{}
	labels := [2]int{}
	perfect := mustSim(t, Config{Accuracy: 1, Certainty: Certainty{Exponent: 1}})
	for _, it := range items {
		p := it.Request.GetPreference()
		if p == nil || it.Request.ItemId == "" || it.Label.Choice == nil {
			t.Fatalf("incomplete item %v / %v", it.Request, it.Label)
		}
		if p.ResponseA == p.ResponseB {
			t.Fatalf("%s: identical responses", it.Request.ItemId)
		}
		if ids[it.Request.ItemId] {
			t.Fatalf("item_id %s repeats", it.Request.ItemId)
		}
		ids[it.Request.ItemId] = true
		k := ItemKey(p.Persona, p.Query, p.ResponseA, p.ResponseB)
		if keys[k] {
			t.Fatalf("%s repeats an earlier item", it.Request.ItemId)
		}
		keys[k] = true
		c := it.Label.GetChoice()
		labels[c]++
		// The label is the simulator's truth, in whichever order it is shown.
		d := perfect.Decide(Call{Persona: p.Persona, Query: p.Query, First: p.ResponseA, Second: p.ResponseB})
		if want := [2]string{"A", "B"}[c]; d.Label != want {
			t.Fatalf("%s: label %d but a perfect simulator answers %s", it.Request.ItemId, c, d.Label)
		}
		d = perfect.Decide(Call{Persona: p.Persona, Query: p.Query, First: p.ResponseB, Second: p.ResponseA})
		if want := [2]string{"B", "A"}[c]; d.Label != want {
			t.Fatalf("%s swapped: label %d but a perfect simulator answers %s", it.Request.ItemId, c, d.Label)
		}
	}
	if labels[0] < 200 || labels[1] < 200 {
		t.Fatalf("labels %v: far from balanced", labels)
	}
}

func TestGenerateIsDeterministicPerSeed(t *testing.T) {
	t.Parallel()
	gen := func(seed uint64) []byte {
		var buf bytes.Buffer
		if err := Generate(&buf, 50, seed); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	a, b, c := readDataset(t, gen(1)), readDataset(t, gen(1)), readDataset(t, gen(2))
	same, differ := 0, 0
	for i := range a {
		if sameItem(a[i], b[i]) {
			same++
		}
		if !sameItem(a[i], c[i]) {
			differ++
		}
	}
	if same != len(a) {
		t.Fatalf("same seed: %d of %d items equal", same, len(a))
	}
	if differ < len(a)/2 {
		t.Fatalf("different seeds: only %d of %d items differ", differ, len(a))
	}
}

func sameItem(a, b Item) bool {
	return proto.Equal(a.Request, b.Request) && proto.Equal(a.Label, b.Label)
}

// GenerateFile writes what Generate writes, readable by all, and leaves no
// temporary file behind, whether it succeeds or not.
func TestGenerateFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "items.jsonl")
	if err := os.WriteFile(path, []byte("an older dataset\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := GenerateFile(path, 7, 3); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := Generate(&want, 7, 3); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("file differs from Generate's output:\n%s", got)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("stat %v, %v; want mode 0644", fi, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("%d entries in the folder, want only the dataset", len(entries))
	}
	// Into a folder that does not exist: an error and no file.
	missing := filepath.Join(dir, "no", "such.jsonl")
	if err := GenerateFile(missing, 1, 1); err == nil {
		t.Fatal("GenerateFile into a missing folder succeeded")
	}
	// Onto a folder: the rename fails, and the temporary file goes.
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := GenerateFile(filepath.Join(dir, "sub"), 1, 1); err == nil {
		t.Fatal("GenerateFile onto a folder succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("%d entries in the folder after a failed write, want 2", len(entries))
	}
}
