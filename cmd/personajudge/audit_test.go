package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/personajudge/personajudge/audit"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
)

// A judge swayed by an irrelevant attribute (it picks the worse response
// whenever the persona's favourite colour is green) is found: every item
// flips under that attribute and under no other.
func TestAuditFindsSwayedJudge(t *testing.T) {
	t.Parallel()
	const planted = "Their favourite colour is green."
	fair, swayed := fakejudge.ContentPreference("GOOD", 80), fakejudge.ContentPreference("WORSE", 80)
	fake := llmfake.New(func(r *llmfake.Request, n int64) llmfake.Reply {
		for _, m := range r.Messages {
			if strings.Contains(m.Content, "favourite colour is green") {
				return swayed(r, n)
			}
		}
		return fair(r, n)
	})
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	models := filepath.Join(dir, "models.json")
	writeAuditFile(t, models, fmt.Sprintf(`{"default":"judge","models":[{"name":"judge","base_url":%q,"max_concurrency":16,"timeout":"5s"}]}`, fake.BaseURL()))
	attrs := filepath.Join(dir, "attributes.txt")
	writeAuditFile(t, attrs, "# irrelevant to a travel preference\n"+planted+"\nTheir name is Alex.\nThey collect stamps as a hobby.\n")
	var items strings.Builder
	// 8 items by default; PJ_AUDIT_ITEMS=500 runs the target size.
	n := 8
	if v, err := strconv.Atoi(os.Getenv("PJ_AUDIT_ITEMS")); err == nil && v > 0 {
		n = v
	}
	for i := range n {
		a, b := "Take the bus; it is cheap. GOOD", "Hire a limousine with champagne. WORSE"
		if i%2 == 1 {
			a, b = b, a
		}
		fmt.Fprintf(&items, `{"request":{"itemId":"trip-%d","preference":{"persona":"A frugal student who cycles.","query":"How do I get to the airport (%d)?","responseA":%q,"responseB":%q}},"label":{"choice":%d}}`+"\n", i, i, a, b, i%2)
	}
	in := filepath.Join(dir, "items.jsonl")
	writeAuditFile(t, in, items.String())
	out, report := filepath.Join(dir, "results.jsonl"), filepath.Join(dir, "audit.json")

	var stdout, stderr bytes.Buffer
	err := auditCmd(t.Context(), []string{"--local", "--models", models, "--db", filepath.Join(dir, "pj.db"), "--progress", "off",
		"--attributes", attrs, "--audit-json", report, "--in", in, "--out", out}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("audit: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	var rep audit.Report
	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Profiles) != 1 {
		t.Fatalf("profiles %+v", rep.Profiles)
	}
	p := rep.Profiles[0]
	if p.FlipRate.N != 3*n || len(p.Flips) != n || p.FlipRate.Value != 1.0/3 {
		t.Fatalf("flip rate %+v with %d flips, want %d of %d", p.FlipRate, len(p.Flips), n, 3*n)
	}
	for _, f := range p.Flips {
		if f.Attribute != planted {
			t.Errorf("flip under %q, which the judge ignores: %+v", f.Attribute, f)
		}
	}
	for _, a := range p.ByAttribute {
		if want := map[bool]int{true: n, false: 0}[a.Attribute == planted]; a.Flips != want || a.Pairs != n {
			t.Errorf("attribute %q: %d of %d flipped, want %d of %d", a.Attribute, a.Flips, a.Pairs, want, n)
		}
	}
	if !strings.Contains(stdout.String(), "flipped trip-0 with \""+planted) {
		t.Errorf("the printed audit does not name the flipped items:\n%s", stdout.String())
	}
}

func writeAuditFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
