package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// Item is one line of the dataset (Config.Dataset):
//
//	{"request": <ScoreRequest as protojson, item_id set>, "label": <Label as protojson, optional>}
//
// which is what `personajudge sim generate` writes. The label is the
// correct answer (choice, tie or score), used only for the summary and the
// correct field of each result line.
type Item struct {
	Request *pb.ScoreRequest
	Label   *pb.Label // nil when the line carries none
}

// parseDatasetLine reads one line: one item, or its persona variants
// (variants.go) when the line carries personaVariants.
func parseDatasetLine(b []byte) ([]Item, error) {
	var line struct {
		Request         json.RawMessage   `json:"request"`
		Label           json.RawMessage   `json:"label"`
		PersonaVariants map[string]string `json:"personaVariants"`
	}
	if err := json.Unmarshal(b, &line); err != nil {
		return nil, err
	}
	if len(line.Request) == 0 {
		return nil, errors.New(`no "request"`)
	}
	it := Item{Request: &pb.ScoreRequest{}}
	if err := protojson.Unmarshal(line.Request, it.Request); err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	if it.Request.ItemId == "" {
		return nil, errors.New("request.itemId must be set, so results can be matched and resumed")
	}
	if len(line.Label) > 0 && string(line.Label) != "null" {
		it.Label = &pb.Label{}
		if err := protojson.Unmarshal(line.Label, it.Label); err != nil {
			return nil, fmt.Errorf("label: %w", err)
		}
	}
	if line.PersonaVariants != nil {
		return expandVariants(it, line.PersonaVariants)
	}
	return []Item{it}, nil
}

// ReadDataset calls fn for every item of the dataset file in order,
// naming the line of any error. Blank lines are skipped. It is how Run
// reads its dataset, exported so that tools writing datasets can check
// that Run will read them.
func ReadDataset(path string, fn func(Item) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	for n := 1; ; n++ {
		b, rerr := r.ReadBytes('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			items, err := parseDatasetLine(b)
			if err != nil {
				return fmt.Errorf("%s line %d: %w", path, n, err)
			}
			for _, it := range items {
				if err := fn(it); err != nil {
					return err
				}
			}
		}
		if errors.Is(rerr, io.EOF) {
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}

// CheckDataset reads a dataset file as Run does before sending anything
// (every line readable, every item_id set and distinct) and returns its
// number of items. Tools that write datasets use it to check that Run will
// take what they wrote.
func CheckDataset(path string) (items int, err error) {
	items, _, err = countTodo(path, nil)
	return items, err
}

// countTodo checks the whole dataset before any work (a bad line fails
// the run up front, naming the line) and counts the items still to judge.
func countTodo(path string, done map[string]bool) (todo, skipped int, err error) {
	seen := map[string]bool{}
	err = ReadDataset(path, func(it Item) error {
		id := it.Request.ItemId
		if seen[id] {
			return fmt.Errorf("%s: item_id %q appears twice; results could not be told apart", path, id)
		}
		seen[id] = true
		if done[id] {
			skipped++
		} else {
			todo++
		}
		return nil
	})
	return todo, skipped, err
}
