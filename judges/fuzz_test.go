package judges

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

var fuzzSeeds = []string{
	``,
	` `,
	`{}`,
	`null`,
	`[]`,
	`{"choice":"A","certainty":80}`,
	`{"rationale":"r","choice":"B","certainty":100}`,
	`{"choice":"tie","certainty":1}`,
	`{"choice":"neither","certainty":"50%"}`,
	`{"choice":"Response A","confidence":0.85}`,
	`{"choice":"[B]","certainty":"NaN"}`,
	`{"choice":"A","certainty":1e309}`,
	`{"choice":"A","certainty":-0}`,
	`{"choice":"A","certainty":0.001}`,
	`{"choice":"A","certainty":"0x1p6"}`,
	`{"choice":1,"certainty":80}`,
	`{"choice":["A"],"certainty":80}`,
	"```json\n{\"choice\":\"A\",\"certainty\":70}\n```",
	`Sure: {"rationale":"{\"}","choice":"b","certainty":"85"} ok`,
	`{"a":{"b":{"c":"}"}}}`,
	`{"choice":"A"`,
	`}{`,
	`{"\u0000":"\ud800"}`,
	"Choice: Response B\nCertainty: 85",
	"verdict = tie; confidence = 40%",
	"answer: option a certainty: 100.0",
	"choice: C certainty: 50",
	"certainty: 99999999999999999999999999",
	"\xff\xfe{\"choice\":\"A\",\"certainty\":50}",
}

func FuzzDecodeObject(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		obj, repaired, err := decodeObject(content)
		if err != nil {
			if obj != nil || repaired {
				t.Fatalf("decodeObject(%q) = %v, %v with error %v", content, obj, repaired, err)
			}
			return
		}
		if obj == nil {
			t.Fatalf("decodeObject(%q) = nil object without an error", content)
		}
		for k := range obj {
			if k != strings.ToLower(strings.TrimSpace(k)) {
				t.Fatalf("decodeObject(%q): key %q is not lowered and trimmed", content, k)
			}
		}
		// Strict output is exactly a JSON object; anything else is a repair.
		var strict map[string]any
		isStrict := json.Unmarshal([]byte(strings.TrimSpace(content)), &strict) == nil && strict != nil
		if repaired == isStrict {
			t.Fatalf("decodeObject(%q) repaired = %v, but strict JSON object = %v", content, repaired, isStrict)
		}
	})
}

func FuzzPreferenceParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, content string, allowTie bool) {
		p := &Preference{Item: &pb.PersonalizedPreferenceTask{}, AllowTie: allowTie}
		ab, errAB := p.Parse(content, []int{0, 1})
		ba, errBA := p.Parse(content, []int{1, 0})
		if (errAB == nil) != (errBA == nil) {
			t.Fatalf("Parse(%q) succeeds in one order only: %v / %v", content, errAB, errBA)
		}
		if errAB != nil {
			return
		}
		for _, got := range []Parsed{ab, ba} {
			a := got.Answer
			if a == nil {
				t.Fatalf("Parse(%q) succeeded without an answer", content)
			}
			switch {
			case a.Tie:
				if !allowTie || a.Choice != nil {
					t.Fatalf("Parse(%q, allowTie=%v) = tie %v", content, allowTie, a)
				}
			case a.Choice == nil || (*a.Choice != 0 && *a.Choice != 1):
				t.Fatalf("Parse(%q) answer %v is neither 0, 1 nor a tie", content, a)
			}
			if a.Score != nil || a.Distribution != nil {
				t.Fatalf("Parse(%q) answer carries a score or distribution: %v", content, a)
			}
			if math.IsNaN(got.Certainty) || got.Certainty < 1 || got.Certainty > 100 {
				t.Fatalf("Parse(%q) certainty %v outside [1, 100]", content, got.Certainty)
			}
		}
		// The same output read in the swapped order maps to the other
		// canonical option, with everything else unchanged.
		if ab.Answer.Tie != ba.Answer.Tie {
			t.Fatalf("Parse(%q): tie in one order only", content)
		}
		if !ab.Answer.Tie && ab.Answer.GetChoice() != 1-ba.Answer.GetChoice() {
			t.Fatalf("Parse(%q): choice %d in [0 1] but %d in [1 0]", content, ab.Answer.GetChoice(), ba.Answer.GetChoice())
		}
		if ab.Certainty != ba.Certainty || ab.Repaired != ba.Repaired || ab.Rationale != ba.Rationale {
			t.Fatalf("Parse(%q) differs beyond the mapping: %+v / %+v", content, ab, ba)
		}
	})
}
