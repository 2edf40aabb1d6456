package main

import (
	"github.com/personajudge/personajudge/eval"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// TestSimGenerate (sim_test.go) checks that eval reads what `sim generate`
// writes through the names the dataset reader had while it lived in this
// package. These keep them, on top of package eval, until that test moves
// with the sim command.

type datasetItem struct {
	req   *pb.ScoreRequest
	label *pb.Label
}

func eachDatasetItem(path string, fn func(datasetItem) error) error {
	return eval.ReadDataset(path, func(it eval.Item) error { return fn(datasetItem{req: it.Request, label: it.Label}) })
}

// countTodo checks the dataset as eval does and counts its items not in done.
func countTodo(path string, done map[string]bool) (todo, skipped int, err error) {
	n, err := eval.CheckDataset(path)
	if err != nil {
		return 0, 0, err
	}
	err = eval.ReadDataset(path, func(it eval.Item) error {
		if done[it.Request.ItemId] {
			skipped++
		}
		return nil
	})
	return n - skipped, skipped, err
}
