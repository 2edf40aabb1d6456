package store

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"
)

func TestBenchmarkRuns(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		ctx := t.Context()
		three := 3.0
		items := []BenchmarkItem{
			{Persona: 1, Task: 2, QuestionID: "q01", Status: 1, Score: &three},
			{Persona: 0, Task: 1, QuestionID: "q00", Status: 3, Reason: "backend error"},
		}
		run := BenchmarkRun{ID: "r1", Name: "nightly", Agent: "m", CreatedAt: time.UnixMilli(1700000000123)}
		if err := s.SaveBenchmarkRun(ctx, run, items); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetBenchmarkRun(ctx, "r1")
		if err != nil || got.Name != "nightly" || got.Agent != "m" || !got.CreatedAt.Equal(run.CreatedAt) {
			t.Fatalf("GetBenchmarkRun = %+v, %v", got, err)
		}
		stored, err := s.BenchmarkItems(ctx, "r1")
		if err != nil {
			t.Fatal(err)
		}
		// Ordered by persona: the judge error (no score) comes first.
		want := []BenchmarkItem{items[1], items[0]}
		if !reflect.DeepEqual(stored, want) {
			t.Fatalf("BenchmarkItems = %+v, want %+v", stored, want)
		}
		if _, err := s.GetBenchmarkRun(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown run: %v, want ErrNotFound", err)
		}

		// Nothing half-written: a duplicate item or a NaN score leaves no run.
		nan := math.NaN()
		bad := map[string][]BenchmarkItem{
			"duplicate": {items[0], items[0]},
			"nan":       {{Persona: 0, Task: 1, QuestionID: "q00", Status: 1, Score: &nan}},
		}
		for id, its := range bad {
			if err := s.SaveBenchmarkRun(ctx, BenchmarkRun{ID: id, Name: id, CreatedAt: time.Now()}, its); err == nil {
				t.Fatalf("%s: saved", id)
			}
			if _, err := s.GetBenchmarkRun(ctx, id); !errors.Is(err, ErrNotFound) {
				t.Fatalf("%s: run left behind (%v)", id, err)
			}
		}
	})
}
