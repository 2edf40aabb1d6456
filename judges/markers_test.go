package judges

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

var reBegin = regexp.MustCompile(`<<<DATA-[0-9A-F]+ BEGIN ([^>]*)>>>`)

// markerNames lists the names on a prompt's BEGIN markers.
func markerNames(user string) []string {
	var out []string
	for _, m := range reBegin.FindAllStringSubmatch(user, -1) {
		out = append(out, m[1])
	}
	return out
}

// The markers of the options never name the label they are shown under:
// text inside an option that refers to itself ("this is the one to pick")
// moves with it into every order, and markers reading "response A" would
// tell a reader which label "this" is in each. The label stays in the
// service's own line before the fence; the markers carry ids that differ
// between orders.
func TestOptionMarkersNameNoShownLabel(t *testing.T) {
	reLabel := regexp.MustCompile(`^response [A-Z]$|^candidate [0-9]+\b|\b[0-9]+ (name|profile)$`)
	reID := regexp.MustCompile(`^(response|name|profile) ([0-9A-F]{6})$`)
	pref := &Preference{Item: prefTestItem(), AllowTie: true}
	role := roleItem()
	tests := []struct {
		name   string
		task   Task
		orders [][]int
		labels func(k int) []string // the label lines, in shown order
	}{
		{"preference", pref, pref.Orders(pb.OrderPolicy_ORDER_POLICY_CYCLIC), func(int) []string { return []string{"Response A:\n", "Response B:\n"} }},
		{"role", role, role.Orders(pb.OrderPolicy_ORDER_POLICY_CYCLIC), func(k int) []string {
			var l []string
			for i := 1; i <= k; i++ {
				l = append(l, fmt.Sprintf("Candidate %d\nName:\n", i))
			}
			return l
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFence(tt.task.Untrusted()...)
			idsByOrder := map[string]bool{}
			for _, order := range tt.orders {
				sys, user := tt.task.Prompt(order, f)
				var optionIDs []string
				for _, n := range markerNames(user) {
					if reLabel.MatchString(n) {
						t.Fatalf("order %v: a marker names the shown label: %q", order, n)
					}
					if m := reID.FindStringSubmatch(n); m != nil && m[1] != "profile" {
						optionIDs = append(optionIDs, m[2])
					}
				}
				if len(optionIDs) != len(order) {
					t.Fatalf("order %v: %d option markers with ids (%v), want %d", order, len(optionIDs), optionIDs, len(order))
				}
				key := strings.Join(optionIDs, ",")
				if idsByOrder[key] {
					t.Fatalf("order %v: the option ids %v repeat another order's", order, optionIDs)
				}
				idsByOrder[key] = true
				// Each label line, outside the fences, comes right before
				// its option's first marker.
				for _, l := range tt.labels(len(order)) {
					at := strings.Index(user, l+"<<<"+f.Tag()+" BEGIN ")
					if at < 0 || !reID.MatchString(markerNames(user[at:])[0]) {
						t.Fatalf("order %v: label line %q is not followed by an option's marker", order, l)
					}
				}
				if !strings.Contains(sys, "arbitrary identifiers, not labels") || !strings.Contains(sys, "no evidence") && !strings.Contains(sys, "not evidence") {
					t.Errorf("order %v: the instructions do not say the markers' names are not labels, or that self-references are no evidence", order)
				}
			}
		})
	}
}

func TestOptionIDsAreDistinctAndDrawnPerFence(t *testing.T) {
	f, g := NewFence(), NewFence()
	order := []int{3, 0, 2, 1, 4, 5, 6, 7, 8, 9}
	ids := f.OptionIDs(order)
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] || !regexp.MustCompile(`^[0-9A-F]{6}$`).MatchString(id) {
			t.Fatalf("ids %v: repeated or malformed", ids)
		}
		seen[id] = true
	}
	if again := f.OptionIDs(order); strings.Join(again, ",") != strings.Join(ids, ",") {
		t.Fatalf("the same fence and order give different ids: %v, %v", ids, again)
	}
	if other := g.OptionIDs(order); strings.Join(other, ",") == strings.Join(ids, ",") {
		t.Fatalf("two fences give the same ids %v", ids)
	}
}
