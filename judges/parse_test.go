package judges

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeObject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		want     map[string]any
		repaired bool
		wantErr  string // substring of the error; "" means no error
	}{
		{
			name: "strict JSON",
			in:   `{"choice":"A","certainty":80}`,
			want: map[string]any{"choice": "A", "certainty": 80.0},
		},
		{
			name: "strict JSON with surrounding whitespace",
			in:   "\n\t {\"choice\": \"B\"}  \n",
			want: map[string]any{"choice": "B"},
		},
		{
			name: "keys are lowered and trimmed",
			in:   `{"Choice":"A"," CERTAINTY ":80}`,
			want: map[string]any{"choice": "A", "certainty": 80.0},
		},
		{
			name:     "json code fence",
			in:       "```json\n{\"choice\":\"A\",\"certainty\":80}\n```",
			want:     map[string]any{"choice": "A", "certainty": 80.0},
			repaired: true,
		},
		{
			name:     "bare code fence",
			in:       "```\n{\"choice\":\"B\"}\n```",
			want:     map[string]any{"choice": "B"},
			repaired: true,
		},
		{
			name:     "prose around JSON",
			in:       `Here is my judgment: {"choice":"B","certainty":55} Hope this helps.`,
			want:     map[string]any{"choice": "B", "certainty": 55.0},
			repaired: true,
		},
		{
			name:     "braces and quotes inside strings",
			in:       `Sure. {"rationale":"uses {braces} and \"quotes}\" freely","choice":"A"} done`,
			want:     map[string]any{"rationale": `uses {braces} and "quotes}" freely`, "choice": "A"},
			repaired: true,
		},
		{
			name:     "escaped backslash before closing quote",
			in:       `x {"rationale":"ends with a backslash \\","choice":"B"} y`,
			want:     map[string]any{"rationale": `ends with a backslash \`, "choice": "B"},
			repaired: true,
		},
		{
			name:     "nested object, first balanced span",
			in:       `answer: {"choice":"A","meta":{"k":{"d":1}}} and {"choice":"B"}`,
			want:     map[string]any{"choice": "A", "meta": map[string]any{"k": map[string]any{"d": 1.0}}},
			repaired: true,
		},
		{
			name:     "object inside a JSON array",
			in:       `[{"choice":"A"}]`,
			want:     map[string]any{"choice": "A"},
			repaired: true,
		},
		{name: "empty", in: "", wantErr: "empty output"},
		{name: "whitespace only", in: " \n\t ", wantErr: "empty output"},
		{name: "no object", in: "I prefer response A, certainty 80.", wantErr: "no JSON object"},
		{name: "JSON null", in: "null", wantErr: "no JSON object"},
		{name: "JSON string", in: `"A"`, wantErr: "no JSON object"},
		{name: "unbalanced object", in: `{"choice":"A"`, wantErr: "no JSON object"},
		{name: "balanced but invalid JSON", in: `note {choice: A} here`, wantErr: "no JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, repaired, err := decodeObject(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("decodeObject(%q) error = %v, want one containing %q (got %v)", tt.in, err, tt.wantErr, got)
				}
				if got != nil || repaired {
					t.Errorf("decodeObject(%q) = %v, %v with an error, want nil, false", tt.in, got, repaired)
				}
				return
			}
			if err != nil {
				t.Fatalf("decodeObject(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("decodeObject(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
			if repaired != tt.repaired {
				t.Errorf("decodeObject(%q) repaired = %v, want %v", tt.in, repaired, tt.repaired)
			}
		})
	}
}

// The error for unreadable output quotes at most 80 characters of it.
func TestDecodeObjectErrorIsClipped(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 500)
	_, _, err := decodeObject(long)
	if err == nil {
		t.Fatal("want an error")
	}
	if strings.Contains(err.Error(), strings.Repeat("x", 81)) || !strings.Contains(err.Error(), strings.Repeat("x", 80)+"...") {
		t.Errorf("error not clipped to 80 characters: %v", err)
	}
}

func TestFirstObject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{`{}`, `{}`, true},
		{`ab {"a":{"b":1}} cd`, `{"a":{"b":1}}`, true},
		{`{"a":"}"}`, `{"a":"}"}`, true},
		{`{"a":"\"}"}`, `{"a":"\"}"}`, true},
		{`{"a":"\\"}`, `{"a":"\\"}`, true},
		{`{"a":1} {"b":2}`, `{"a":1}`, true},
		{`no braces`, ``, false},
		{`{"a":{"b":1}`, ``, false},
		{`{"a":"}`, ``, false},
		{`} {"a":1}`, `{"a":1}`, true},
	}
	for _, tt := range tests {
		got, ok := firstObject(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("firstObject(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestStringField(t *testing.T) {
	t.Parallel()
	obj := map[string]any{"choice": "A", "n": 2.5, "b": true, "empty": ""}
	tests := []struct {
		keys []string
		want string
		ok   bool
	}{
		{[]string{"choice"}, "A", true},
		{[]string{"missing", "choice"}, "A", true},
		{[]string{"n"}, "2.5", true},
		{[]string{"b"}, "", false},
		{[]string{"b", "choice"}, "A", true},
		{[]string{"empty", "choice"}, "", true},
		{[]string{"missing"}, "", false},
		{nil, "", false},
	}
	for _, tt := range tests {
		got, ok := stringField(obj, tt.keys...)
		if got != tt.want || ok != tt.ok {
			t.Errorf("stringField(%v) = %q, %v; want %q, %v", tt.keys, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNumberField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		obj      map[string]any
		keys     []string
		want     float64
		repaired bool
		ok       bool
	}{
		{"number", map[string]any{"c": 85.0}, []string{"c"}, 85, false, true},
		{"numeric string", map[string]any{"c": "85"}, []string{"c"}, 85, true, true},
		{"percent string", map[string]any{"c": "85%"}, []string{"c"}, 85, true, true},
		{"padded percent string", map[string]any{"c": " 85 % "}, []string{"c"}, 85, true, true},
		{"fraction string", map[string]any{"c": "0.85"}, []string{"c"}, 0.85, true, true},
		{"word", map[string]any{"c": "high"}, []string{"c"}, 0, false, false},
		{"word falls through to next key", map[string]any{"c": "high", "d": 70.0}, []string{"c", "d"}, 70, false, true},
		{"first present key wins", map[string]any{"c": 10.0, "d": 70.0}, []string{"c", "d"}, 10, false, true},
		{"bool", map[string]any{"c": true}, []string{"c"}, 0, false, false},
		{"null", map[string]any{"c": nil}, []string{"c"}, 0, false, false},
		{"missing", map[string]any{}, []string{"c"}, 0, false, false},
		{"negative", map[string]any{"c": -3.0}, []string{"c"}, -3, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, repaired, ok := numberField(tt.obj, tt.keys...)
			if v != tt.want || repaired != tt.repaired || ok != tt.ok {
				t.Errorf("numberField(%v, %v) = %v, %v, %v; want %v, %v, %v", tt.obj, tt.keys, v, repaired, ok, tt.want, tt.repaired, tt.ok)
			}
		})
	}
}

func TestReadCertainty(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		obj      map[string]any
		want     float64
		repaired bool
		wantErr  string
	}{
		{"integer", map[string]any{"certainty": 85.0}, 85, false, ""},
		{"string", map[string]any{"certainty": "85"}, 85, true, ""},
		{"percent", map[string]any{"certainty": "85%"}, 85, true, ""},
		{"fraction", map[string]any{"certainty": 0.85}, 85, true, ""},
		{"fraction string", map[string]any{"certainty": "0.5"}, 50, true, ""},
		{"confidence alias", map[string]any{"confidence": 70.0}, 70, false, ""},
		{"certainty preferred over confidence", map[string]any{"certainty": 40.0, "confidence": 70.0}, 40, false, ""},
		{"lower bound", map[string]any{"certainty": 1.0}, 1, false, ""},
		{"upper bound", map[string]any{"certainty": 100.0}, 100, false, ""},
		{"non-integer in range", map[string]any{"certainty": 42.5}, 42.5, false, ""},
		{"zero", map[string]any{"certainty": 0.0}, 0, false, "outside 1..100"},
		{"101", map[string]any{"certainty": 101.0}, 0, false, "outside 1..100"},
		{"negative", map[string]any{"certainty": -5.0}, 0, false, "outside 1..100"},
		{"tiny fraction still below 1", map[string]any{"certainty": 0.001}, 0, false, "outside 1..100"},
		{"NaN string", map[string]any{"certainty": "NaN"}, 0, false, "not a number"},
		{"Inf string", map[string]any{"certainty": "Inf"}, 0, false, "not a number"},
		{"-infinity string", map[string]any{"certainty": "-infinity"}, 0, false, "not a number"},
		{"word", map[string]any{"certainty": "very high"}, 0, false, "missing"},
		{"empty string", map[string]any{"certainty": ""}, 0, false, "missing"},
		{"missing", map[string]any{"choice": "A"}, 0, false, "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, repaired, err := readCertainty(tt.obj)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("readCertainty(%v) = %v, %v, %v; want an error containing %q", tt.obj, c, repaired, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("readCertainty(%v): %v", tt.obj, err)
			}
			if math.Abs(c-tt.want) > 1e-9 || repaired != tt.repaired {
				t.Errorf("readCertainty(%v) = %v, %v; want %v, %v", tt.obj, c, repaired, tt.want, tt.repaired)
			}
		})
	}
}

func TestTextFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want map[string]any
	}{
		{"plain lines", "Choice: A\nCertainty: 80", map[string]any{"choice": "A", "certainty": "80"}},
		{"response prefix", "choice: Response B\ncertainty: 72", map[string]any{"choice": "B", "certainty": "72"}},
		{"option prefix", "Answer = option A; confidence = 65.5", map[string]any{"choice": "A", "certainty": "65.5"}},
		{"quoted JSON-ish", `"choice": "tie", "certainty": "40"`, map[string]any{"choice": "tie", "certainty": "40"}},
		{"verdict and percent", "Verdict: B. Confidence: 90%", map[string]any{"choice": "B", "certainty": "90"}},
		{"first occurrence wins", "choice: A\nchoice: B\ncertainty: 10\ncertainty: 20", map[string]any{"choice": "A", "certainty": "10"}},
		{"choice only", "my answer: neither", map[string]any{"choice": "neither"}},
		{"certainty only", "certainty: 55", map[string]any{"certainty": "55"}},
		{"no separator", "The answer is A with certainty 80", map[string]any{}},
		{"word inside another word", "multiplechoice: A", map[string]any{}},
		{"empty", "", map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := textFields(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("textFields(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestClip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abc", 3, "abc"},
		{"abcdef", 3, "abc..."},
		{"", 0, ""},
	}
	for _, tt := range tests {
		if got := clip(tt.s, tt.n); got != tt.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
