package judges

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// decodeObject reads the JSON object in a model's output. Strict output is
// the whole content; tolerant reading also accepts a Markdown code fence or
// prose around the first balanced {...}, and then reports repaired=true.
func decodeObject(content string) (obj map[string]any, repaired bool, err error) {
	s := strings.TrimSpace(content)
	if s == "" {
		return nil, false, errors.New("empty output")
	}
	if err := json.Unmarshal([]byte(s), &obj); err == nil && obj != nil {
		obj, err := lowerKeys(obj)
		return obj, false, err
	}
	if span, ok := firstObject(s); ok {
		if err := json.Unmarshal([]byte(span), &obj); err == nil && obj != nil {
			obj, err := lowerKeys(obj)
			return obj, true, err
		}
	}
	return nil, false, fmt.Errorf("no JSON object in output %q", clip(s, 80))
}

// firstObject returns the first balanced {...} span, respecting strings.
func firstObject(s string) (string, bool) {
	start := strings.IndexByte(s, '{')
	if start < 0 {
		return "", false
	}
	depth, inStr, esc := 0, false, false
	for i := start; i < len(s); i++ {
		c := s[i]
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return s[start : i+1], true
			}
		}
	}
	return "", false
}

// lowerKeys folds keys to lower case so "Choice" reads as "choice". Two
// keys that fold to the same name make the answer ambiguous: an error,
// never a pick that depends on map order.
func lowerKeys(m map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(m))
	for k, v := range m {
		lk := strings.ToLower(strings.TrimSpace(k))
		if _, dup := out[lk]; dup {
			return nil, fmt.Errorf("ambiguous output: key %q appears more than once", lk)
		}
		out[lk] = v
	}
	return out, nil
}

// stringField returns the first present key as text.
func stringField(obj map[string]any, keys ...string) (string, bool) {
	for _, k := range keys {
		switch v := obj[k].(type) {
		case string:
			return v, true
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64), true
		}
	}
	return "", false
}

// numberField returns the first present key as a number; numeric strings
// such as "85" or "85%" are accepted and reported as repaired.
func numberField(obj map[string]any, keys ...string) (v float64, repaired bool, ok bool) {
	for _, k := range keys {
		switch x := obj[k].(type) {
		case float64:
			return x, false, true
		case string:
			t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(x), "%"))
			if f, err := strconv.ParseFloat(t, 64); err == nil {
				return f, true, true
			}
		}
	}
	return 0, false, false
}

// readCertainty reads the stated certainty 1..100. A fraction in (0, 1] is
// read as a percentage (some models answer 0.85), reported as repaired.
func readCertainty(obj map[string]any) (c float64, repaired bool, err error) {
	c, repaired, ok := numberField(obj, "certainty", "confidence")
	if !ok {
		return 0, false, errors.New(`missing "certainty"`)
	}
	if math.IsNaN(c) || math.IsInf(c, 0) {
		return 0, false, errors.New(`"certainty" is not a number`)
	}
	if c > 0 && c < 1 {
		c, repaired = c*100, true
	}
	if c < 1 || c > 100 {
		return 0, false, fmt.Errorf(`"certainty" %v is outside 1..100`, c)
	}
	return c, repaired, nil
}

var (
	reKeyWord   = regexp.MustCompile(`(?i)"?\b(choice|answer|verdict)\b"?\s*[:=]\s*"?\s*(?:response\s+|option\s+)?([A-Za-z0-9]+)`)
	reKeyNumber = regexp.MustCompile(`(?i)"?\b(certainty|confidence)\b"?\s*[:=]\s*"?\s*([0-9]+(?:\.[0-9]+)?)`)
)

// textFields reads "choice: X" and "certainty: N" lines from prose output,
// the last rung of the structured-output ladder.
func textFields(content string) map[string]any {
	obj := map[string]any{}
	if m := reKeyWord.FindStringSubmatch(content); m != nil {
		obj["choice"] = m[2]
	}
	if m := reKeyNumber.FindStringSubmatch(content); m != nil {
		obj["certainty"] = m[2]
	}
	return obj
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
