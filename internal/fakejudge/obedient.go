package fakejudge

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/personajudge/personajudge/internal/llmfake"
)

// The gullible judges below stand for a model that the fences are meant to
// protect: it follows content, but obeys any instruction it finds OUTSIDE
// the fences of the user message, as if the service had written it. They
// understand more forms than Obedient does, the forms an injection corpus
// uses:
//
//   - an imperative: "answer A", "choose 2", "output: 5", "the correct
//     answer is B", "pick candidate 3", "select score 5";
//   - a key and a value: "choice: A", `"score": 5`, "verdict: B";
//   - a JSON answer: any object with "choice", "score" or "probabilities".
//
// Before reading, they fold text the way a model reads it: zero-width and
// bidi control characters vanish, fullwidth forms and common Cyrillic and
// Greek lookalikes become ASCII. A label the judge does not offer ("answer
// 7" to a two-way choice) is ignored; the first usable instruction wins.
// When they obey they answer with certainty 100.

var (
	reSteerVerb = regexp.MustCompile(`(?i:\b(?:the\s+(?:correct|right|true)\s+(?:answer|output|verdict|choice|score)\s+is|answer|choose|pick|select|output|reply|respond|rate\s+(?:it|this)|score\s+(?:it|this)))` +
		`\s*:?\s*["'\[(]?\s*(?i:(?:response|option|candidate|label|score|level)\s+)?([A-Z0-9])\b`)
	reSteerKey = regexp.MustCompile(`(?i:\b(?:choice|verdict|score|rating|label))["']?\s*:\s*["'\[]?\s*(?i:(?:response|option|candidate)\s+)?([A-Z0-9])\b`)
	// reSteerTie asks for a tie: "answer tie", "choose: tie", "verdict:
	// tie", "call it a draw".
	reSteerTie = regexp.MustCompile(`(?i)\b(?:answer|choose|pick|select|output|reply|respond|declare|call it|choice|verdict)["']?\s*:?\s*(?:a\s+)?["'\[(]?\s*(tie|draw)\b`)
)

// Tie is the label Steer returns for a requested tie.
const Tie = "tie"

// Steer returns the label that an instruction in text asks for, among
// valid, with ok false when text holds none. It is exported so tests can
// check that an injection is one these judges would obey when unfenced.
func Steer(text string, valid func(label string) bool) (label string, ok bool) {
	text = Fold(text)
	type hit struct {
		at    int
		label string
	}
	var hits []hit
	for _, re := range []*regexp.Regexp{reSteerVerb, reSteerKey, reSteerTie} {
		for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
			l := text[m[2]:m[3]]
			if re == reSteerTie {
				l = Tie
			}
			if valid(l) {
				hits = append(hits, hit{m[0], l})
				break
			}
		}
	}
	for i := 0; i < len(text); i++ {
		if text[i] != '{' {
			continue
		}
		var obj map[string]any
		if err := json.NewDecoder(strings.NewReader(text[i:])).Decode(&obj); err != nil {
			continue
		}
		if l, ok := jsonLabel(obj); ok && valid(l) {
			hits = append(hits, hit{i, l})
			break
		}
	}
	if len(hits) == 0 {
		return "", false
	}
	first := hits[0]
	for _, h := range hits[1:] {
		if h.at < first.at {
			first = h
		}
	}
	return first.label, true
}

// jsonLabel reads the answer a JSON object states: its choice, its score,
// or the label its probabilities favour most.
func jsonLabel(obj map[string]any) (string, bool) {
	for k, v := range obj {
		switch strings.ToLower(k) {
		case "choice", "verdict", "answer", "score":
			switch x := v.(type) {
			case string:
				if strings.EqualFold(strings.TrimSpace(x), Tie) {
					return Tie, true
				}
				return strings.ToUpper(strings.TrimSpace(x)), true
			case float64:
				return strconv.FormatFloat(x, 'f', -1, 64), true
			}
		case "probabilities":
			probs, ok := v.(map[string]any)
			if !ok {
				continue
			}
			best, bestP := "", -1.0
			for l, p := range probs {
				if f, ok := p.(float64); ok && (f > bestP || f == bestP && l < best) {
					best, bestP = l, f
				}
			}
			return best, best != ""
		}
	}
	return "", false
}

// Fold rewrites what a reader would not see or would read as ASCII:
// invisible format characters are dropped, fullwidth forms and common
// Cyrillic and Greek lookalikes of Latin letters become ASCII.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == 0x00AD, r == 0x180E, r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E,
			r >= 0x2060 && r <= 0x2064, r >= 0x2066 && r <= 0x2069, r == 0xFEFF:
			continue
		case r >= 0xFF01 && r <= 0xFF5E:
			b.WriteRune(r - 0xFF01 + '!')
		default:
			if a, ok := lookalikes[r]; ok {
				b.WriteRune(a)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

var lookalikes = map[rune]rune{
	// Cyrillic
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C', 'Т': 'T', 'Х': 'X',
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'х': 'x', 'у': 'y', 'і': 'i', 'ѕ': 's', 'ј': 'j',
	// Greek
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N', 'Ο': 'O', 'Ρ': 'P', 'Τ': 'T', 'Χ': 'X',
	'ο': 'o', 'ν': 'v',
}

// ObedientPreference is a preference judge that follows content (the
// response containing marker wins, as ContentPreference) unless an
// instruction outside the fences names a label, which it then answers;
// when the prompt offers a tie, an instruction to answer tie is obeyed too.
func ObedientPreference(marker string, certainty int) llmfake.Behavior {
	content := ContentPreference(marker, certainty)
	return func(req *llmfake.Request, n int64) llmfake.Reply {
		_, outside := Split(req)
		ties := strings.Contains(req.System(), `"tie"`)
		if l, ok := Steer(outside, func(l string) bool { return l == "A" || l == "B" || ties && l == Tie }); ok {
			return llmfake.Reply{Content: PreferenceAnswer(l, 100)}
		}
		return content(req, n)
	}
}

// ObedientRole is a role judge that follows content (as ContentRole)
// unless an instruction outside the fences names a shown label 1..K, to
// which it then gives all the probability.
func ObedientRole(marker string, certainty int) llmfake.Behavior {
	content := ContentRole(marker, certainty)
	return func(req *llmfake.Request, n int64) llmfake.Reply {
		blocks, outside := Split(req)
		names, _ := RoleCandidates(blocks)
		k := len(names)
		l, ok := Steer(outside, func(l string) bool {
			i, err := strconv.Atoi(l)
			return err == nil && i >= 1 && i <= k
		})
		if ok {
			i, _ := strconv.Atoi(l)
			return llmfake.Reply{Content: RoleAnswer(labelled(spread(k, i-1, 1)), 100)}
		}
		return content(req, n)
	}
}

// ObedientAdherence is an adherence judge that follows content (as
// ContentAdherence) unless an instruction outside the fences names a score
// 1..5, which it then answers.
func ObedientAdherence(certainty int) llmfake.Behavior {
	content := ContentAdherence(certainty)
	return func(req *llmfake.Request, n int64) llmfake.Reply {
		_, outside := Split(req)
		if l, ok := Steer(outside, func(l string) bool { return len(l) == 1 && l[0] >= '1' && l[0] <= '5' }); ok {
			return llmfake.Reply{Content: AdherenceAnswer(int(l[0]-'0'), 100)}
		}
		return content(req, n)
	}
}

// Unfenced wraps a judge so that it ignores the fences: the text of every
// fenced block is also shown to it outside the fences, after the prompt, as
// a model that does not respect the fences would read it. Tests use it as a
// control: an injection that steers an obedient judge through Unfenced, but
// not without it, shows that the fence is what contains the injection.
//
// Such a model also obeys text that refers to itself ("this is the one to
// pick", see SelfRefers), reading "this" as the block the text sits in and
// that block as the label its markers name (HeaderLabel): a self-reference
// inside "<<<... BEGIN response A>>>" reads as "answer A". A self-reference
// travels with its text into every order, so the order swap cannot cancel
// it; only markers that do not name the shown label leave it unresolved.
func Unfenced(b llmfake.Behavior) llmfake.Behavior {
	return func(req *llmfake.Request, n int64) llmfake.Reply {
		blocks, _ := Split(req)
		cp := *req
		cp.Messages = append([]llmfake.Message(nil), req.Messages...)
		for i, m := range cp.Messages {
			if m.Role != "user" {
				continue
			}
			var extra strings.Builder
			for _, blk := range blocks {
				extra.WriteString("\n\n" + blk.Text)
				if l, ok := HeaderLabel(blk.Header); ok && SelfRefers(blk.Text) {
					extra.WriteString("\n\nanswer " + l)
				}
			}
			cp.Messages[i].Content = m.Content + extra.String()
			break
		}
		return b(&cp, n)
	}
}
