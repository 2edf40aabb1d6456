package main

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

// datasetItem is one line of eval's --in file:
//
//	{"request": <ScoreRequest as protojson, item_id set>, "label": <Label as protojson, optional>}
//
// which is what `personajudge sim generate` writes. The label is the
// correct answer (choice, tie or score), used only for the summary and the
// correct field of each result line.
type datasetItem struct {
	req   *pb.ScoreRequest
	label *pb.Label
}

func parseDatasetLine(b []byte) (datasetItem, error) {
	var line struct {
		Request json.RawMessage `json:"request"`
		Label   json.RawMessage `json:"label"`
	}
	if err := json.Unmarshal(b, &line); err != nil {
		return datasetItem{}, err
	}
	if len(line.Request) == 0 {
		return datasetItem{}, errors.New(`no "request"`)
	}
	it := datasetItem{req: &pb.ScoreRequest{}}
	if err := protojson.Unmarshal(line.Request, it.req); err != nil {
		return datasetItem{}, fmt.Errorf("request: %w", err)
	}
	if it.req.ItemId == "" {
		return datasetItem{}, errors.New("request.itemId must be set, so results can be matched and resumed")
	}
	if len(line.Label) > 0 && string(line.Label) != "null" {
		it.label = &pb.Label{}
		if err := protojson.Unmarshal(line.Label, it.label); err != nil {
			return datasetItem{}, fmt.Errorf("label: %w", err)
		}
	}
	return it, nil
}

// eachDatasetItem calls fn for every item of the file in order, naming the
// line of any error. Blank lines are skipped.
func eachDatasetItem(path string, fn func(datasetItem) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	for n := 1; ; n++ {
		b, rerr := r.ReadBytes('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			it, err := parseDatasetLine(b)
			if err != nil {
				return fmt.Errorf("%s line %d: %w", path, n, err)
			}
			if err := fn(it); err != nil {
				return err
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

// countTodo checks the whole dataset before any work (a bad line fails
// the run up front, naming the line) and counts the items still to judge.
func countTodo(path string, done map[string]bool) (todo, skipped int, err error) {
	seen := map[string]bool{}
	err = eachDatasetItem(path, func(it datasetItem) error {
		id := it.req.ItemId
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
