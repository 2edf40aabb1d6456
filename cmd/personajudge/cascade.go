package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/personajudge/personajudge/cascadeeval"
	"github.com/personajudge/personajudge/importers"
)

// runCascade measures cascades and panels offline: on recorded judgments
// ("recorded") or on the judge simulator ("sim").
func runCascade(args []string) error {
	if len(args) == 0 || (args[0] != "recorded" && args[0] != "sim") {
		return fmt.Errorf("usage: personajudge cascade recorded|sim [flags]")
	}
	if args[0] == "sim" {
		return runCascadeSim(args[1:])
	}
	fs := flag.NewFlagSet("cascade recorded", flag.ContinueOnError)
	csvPath := fs.String("csv", "", "Personalized-Judge judgments.csv")
	task := fs.String("task", "PR", "task: PR, EC or PRISM")
	features := fs.String("features", "all", "persona_features: all, key_features or least_imp_feature")
	stages := fs.String("stages", "command-r-plus,gpt-4o-2024-05-13", "judge models, comma-separated, cheapest first")
	target := fs.Float64("target", 0.9, "agreement to certify on answered items, in (0.5, 1)")
	risk := fs.Float64("risk", 0.05, "risk, in (0, 0.5)")
	fitCal := fs.Bool("fit-calibrators", false, "fit each stage's calibrator on half of the calibration items (else the identity map of stated certainty)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	f, err := os.Open(*csvPath)
	if err != nil {
		return err
	}
	defer f.Close()
	byModel, _, err := importers.ReadPJAligned(f, importers.PJFilter{Task: *task, PersonaFeatures: *features})
	if err != nil {
		return err
	}
	res, err := cascadeeval.Recorded(byModel, strings.Split(*stages, ","), *target, *risk, *fitCal)
	if err != nil {
		return err
	}
	return printJSON(res)
}

func runCascadeSim(args []string) error {
	fs := flag.NewFlagSet("cascade sim", flag.ContinueOnError)
	n := fs.Int("items", 4000, "simulated items")
	splits := fs.Int("splits", 100, "random calibration/test splits")
	target := fs.Float64("target", 0.85, "agreement to certify on answered items, in (0.5, 1)")
	risk := fs.Float64("risk", 0.05, "risk, in (0, 0.5)")
	fitCal := fs.Bool("fit-calibrators", false, "fit each stage's calibrator on half of the calibration items (else the identity map of stated certainty)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	models := cascadeeval.DefaultSimModels()
	items, err := cascadeeval.SimItems(models, *n)
	if err != nil {
		return err
	}
	names := make([]string, len(models))
	for i, m := range models {
		names[i] = m.Name
	}
	res, err := cascadeeval.Splits(items, names, *target, *risk, *splits, *fitCal)
	if err != nil {
		return err
	}
	return printJSON(res)
}

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
