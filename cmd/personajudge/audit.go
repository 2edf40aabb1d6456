package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/personajudge/personajudge/audit"
	"github.com/personajudge/personajudge/stats"
)

// runAudit is `personajudge audit`: the robustness audit.
//
//	personajudge audit --in items.jsonl --out results.jsonl [--attributes FILE] [--audit-json FILE] [eval flags]
//
// It writes the perturbed dataset beside --out (OUT.items.jsonl), judges it
// with eval (every eval flag applies: --addr or --local, resuming, ...) and
// prints the flip rates per judge profile with the flipped items.
func runAudit(args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return auditCmd(ctx, args, os.Stdout, os.Stderr)
}

// auditFlags takes audit's own flags out of args, leaving eval's.
func auditFlags(args []string) (attrs, reportJSON string, rest []string, err error) {
	for i := 0; i < len(args); i++ {
		name, val, hasVal := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") || (name != "attributes" && name != "audit-json") {
			rest = append(rest, args[i])
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				return "", "", nil, fmt.Errorf("--%s needs a value", name)
			}
			i++
			val = args[i]
		}
		if name == "attributes" {
			attrs = val
		} else {
			reportJSON = val
		}
	}
	return attrs, reportJSON, rest, nil
}

func auditCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	attrFile, reportJSON, rest, err := auditFlags(args)
	if err != nil {
		return err
	}
	o, err := parseEvalFlags(rest)
	if err != nil {
		return fmt.Errorf("%w (audit also takes --attributes FILE, one attribute a line, and --audit-json FILE)", err)
	}
	o.stdout, o.stderr, o.localOpts.log = stdout, stderr, stderr
	attrs := audit.BuiltinAttributes
	if attrFile != "" {
		if attrs, err = audit.LoadAttributes(attrFile); err != nil {
			return err
		}
	}
	expanded := o.cfg.Results + ".items.jsonl"
	n, skipped, err := audit.Expand(o.cfg.Dataset, expanded, attrs)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "audit: %d items to judge (%d attributes; %d items without a persona left out), in %s\n", n, len(attrs), skipped, expanded)
	o.cfg.Dataset = expanded
	if _, err := evalRun(ctx, o); err != nil {
		return err
	}
	rep, err := audit.Read(o.cfg.Results, stats.BootstrapOptions{Seed: 1})
	if err != nil {
		return err
	}
	rep.Print(stdout, 20)
	if reportJSON != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(reportJSON, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if len(rep.Profiles) == 0 {
		return errors.New("audit: no perturbed item could be compared with its original")
	}
	return nil
}
