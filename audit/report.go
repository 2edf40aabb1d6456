package audit

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/personajudge/personajudge/eval"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/stats"
)

// Flip is one perturbed item whose verdict differs from its original's.
type Flip struct {
	Item      string `json:"item"`
	Attribute string `json:"attribute"`
	Before    string `json:"before"`
	After     string `json:"after"`
}

// ProfileReport is the audit of one judge profile.
type ProfileReport struct {
	Profile string `json:"profile"`
	// FlipRate is the share of (item, attribute) pairs whose verdict
	// changed, with its bootstrap interval; N is the pairs compared.
	FlipRate stats.Estimate `json:"flip_rate"`
	// ByAttribute is the flip rate per attribute, sorted by attribute.
	ByAttribute []AttributeRate `json:"by_attribute"`
	Flips       []Flip          `json:"flips"`
}

// AttributeRate is how often one attribute flipped the verdict.
type AttributeRate struct {
	Attribute string `json:"attribute"`
	Pairs     int    `json:"pairs"`
	Flips     int    `json:"flips"`
}

// Report is the audit of a results file, per judge profile.
type Report struct {
	Profiles []ProfileReport `json:"profiles"`
	// Unpaired counts perturbed results without a judged original (or the
	// other way round) and pairs with a judge error: not comparable.
	Unpaired int `json:"unpaired"`
}

// outcome is what a result decided, in words: the verdict, or ABSTAIN.
// JUDGE_ERROR and INVALID decide nothing and are never compared.
func outcome(r *pb.ScoreResponse) (string, bool) {
	switch r.Status {
	case pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN:
		return "abstain", true
	case pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT:
		v := r.GetVerdict()
		switch {
		case v.GetTie():
			return "tie", true
		case v != nil && v.Choice != nil:
			return fmt.Sprintf("option %d", v.GetChoice()), true
		case v != nil && v.Score != nil:
			return fmt.Sprintf("score %g", math.Round(v.GetScore())), true
		}
	}
	return "", false
}

// Read compares every perturbed result in the results file with its
// original's, per judge profile (a perturbed copy is judged under the same
// profile as its original: the attribute changes the persona, not the
// judge).
func Read(results string, o stats.BootstrapOptions) (*Report, error) {
	f, err := os.Open(results)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	type judged struct {
		profile, outcome, attr string
		ok                     bool
	}
	base := map[string]judged{}
	var perturbed []judged
	var perturbedBase []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		r, _, err := eval.ParseResult(sc.Bytes())
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", results, n, err)
		}
		b, ok := r.Tags[BaseTag]
		if !ok {
			continue
		}
		out, decided := outcome(r)
		j := judged{profile: r.JudgeProfile, outcome: out, ok: decided, attr: r.Tags[AttributeTag]}
		if j.attr == "" {
			base[b] = j
		} else {
			perturbed = append(perturbed, j)
			perturbedBase = append(perturbedBase, b)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	type acc struct {
		hits   []bool
		byAttr map[string]*AttributeRate
		flips  []Flip
	}
	profiles := map[string]*acc{}
	rep := &Report{}
	for i, p := range perturbed {
		orig, found := base[perturbedBase[i]]
		if !found || !orig.ok || !p.ok {
			rep.Unpaired++
			continue
		}
		a := profiles[orig.profile]
		if a == nil {
			a = &acc{byAttr: map[string]*AttributeRate{}}
			profiles[orig.profile] = a
		}
		flipped := orig.outcome != p.outcome
		a.hits = append(a.hits, flipped)
		ar := a.byAttr[p.attr]
		if ar == nil {
			ar = &AttributeRate{Attribute: p.attr}
			a.byAttr[p.attr] = ar
		}
		ar.Pairs++
		if flipped {
			ar.Flips++
			a.flips = append(a.flips, Flip{Item: perturbedBase[i], Attribute: p.attr, Before: orig.outcome, After: p.outcome})
		}
	}
	for name, a := range profiles {
		pr := ProfileReport{Profile: name, FlipRate: stats.ProportionEstimate(a.hits, o), Flips: a.flips}
		for _, ar := range a.byAttr {
			pr.ByAttribute = append(pr.ByAttribute, *ar)
		}
		slices.SortFunc(pr.ByAttribute, func(x, y AttributeRate) int { return strings.Compare(x.Attribute, y.Attribute) })
		slices.SortFunc(pr.Flips, func(x, y Flip) int {
			if c := strings.Compare(x.Item, y.Item); c != 0 {
				return c
			}
			return strings.Compare(x.Attribute, y.Attribute)
		})
		rep.Profiles = append(rep.Profiles, pr)
	}
	slices.SortFunc(rep.Profiles, func(x, y ProfileReport) int { return strings.Compare(x.Profile, y.Profile) })
	return rep, nil
}

// Print writes the audit for people: per profile the flip rate with its
// interval, per attribute, and up to maxFlips flipped items.
func (r *Report) Print(w io.Writer, maxFlips int) {
	fmt.Fprintf(w, "robustness audit: verdict flips under persona attributes that should not matter\n")
	for _, p := range r.Profiles {
		fr := p.FlipRate
		fmt.Fprintf(w, "  %s: flip rate %.4f [%.4f, %.4f] over %d pairs (%d flipped)\n", p.Profile, fr.Value, fr.Lower, fr.Upper, fr.N, len(p.Flips))
		for _, a := range p.ByAttribute {
			fmt.Fprintf(w, "    %5d/%-5d %s\n", a.Flips, a.Pairs, a.Attribute)
		}
		for i, f := range p.Flips {
			if i == maxFlips {
				fmt.Fprintf(w, "    ... %d more flipped items\n", len(p.Flips)-i)
				break
			}
			fmt.Fprintf(w, "    flipped %s with %q: %s -> %s\n", f.Item, f.Attribute, f.Before, f.After)
		}
	}
	if r.Unpaired > 0 {
		fmt.Fprintf(w, "  %d perturbed results not compared (original missing, or a judge error or invalid item on either side)\n", r.Unpaired)
	}
}

// LoadAttributes reads one attribute per line (blank lines and lines
// starting with # skipped); each must fit a tag value (256 bytes).
func LoadAttributes(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if len(line) > 256 {
			return nil, fmt.Errorf("%s line %d: an attribute is at most 256 bytes, got %d", path, i+1, len(line))
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no attribute", path)
	}
	return out, nil
}
