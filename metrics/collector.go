package metrics

import (
	"slices"
	"strings"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/stats"
)

// Collector gathers judged results and their labels and computes the
// figures over them. The zero value is ready to use; it is not safe for
// concurrent use.
type Collector struct {
	units []unit
}

// Add counts one result; label is nil for an unlabelled item.
func (c *Collector) Add(r *pb.ScoreResponse, label *pb.Label) {
	c.units = append(c.units, newUnit(r, label))
}

// Len is the number of results added.
func (c *Collector) Len() int { return len(c.units) }

// Where returns a collector over the results whose tags satisfy keep (a
// slice by tag: one track, one tier, one persona variant).
func (c *Collector) Where(keep func(tags map[string]string) bool) *Collector {
	out := &Collector{}
	for _, u := range c.units {
		if keep(u.tags) {
			out.units = append(out.units, u)
		}
	}
	return out
}

// WithTag returns a collector over the results tagged key=value.
func (c *Collector) WithTag(key, value string) *Collector {
	return c.Where(func(t map[string]string) bool { v, ok := t[key]; return ok && v == value })
}

// TagValues lists the values of a tag key among the results, sorted.
func (c *Collector) TagValues(key string) []string {
	seen := map[string]bool{}
	for _, u := range c.units {
		if v, ok := u.tags[key]; ok {
			seen[v] = true
		}
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// Tags lists every key=value tag among the results, sorted.
func (c *Collector) Tags() [][2]string {
	seen := map[[2]string]bool{}
	for _, u := range c.units {
		for k, v := range u.tags {
			seen[[2]string{k, v}] = true
		}
	}
	out := make([][2]string, 0, len(seen))
	for kv := range seen {
		out = append(out, kv)
	}
	slices.SortFunc(out, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	return out
}

// Figure computes one named figure; false for an unknown name.
func (c *Collector) Figure(name string, o stats.BootstrapOptions) (Figure, bool) {
	for _, d := range definitions {
		if d.name == name {
			return c.compute(d, o), true
		}
	}
	return Figure{}, false
}

// Figures computes every figure, in report order; those with N == 0 are
// included with NaN values, so a report can say what it could not measure.
func (c *Collector) Figures(o stats.BootstrapOptions) []Figure {
	out := make([]Figure, len(definitions))
	for i, d := range definitions {
		out[i] = c.compute(d, o)
	}
	return out
}

func (c *Collector) compute(d definition, o stats.BootstrapOptions) Figure {
	var us []*unit
	for i := range c.units {
		if d.of(&c.units[i]) {
			us = append(us, &c.units[i])
		}
	}
	est := stats.Bootstrap(len(us), func(idx []int) float64 { return d.stat(us, idx) }, samplesFor(d, len(us), o))
	return Figure{Name: d.name, About: d.about, Estimate: est}
}
