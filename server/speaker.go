package server

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Speaker-tag detection compares texts as a reader sees them, not as they
// are encoded: a tag dressed with look-alike letters ("Ноlmes" in
// Cyrillic), invisible characters ("Holmes\u200b:"), fullwidth or
// mathematical letters, or brackets ("[Holmes] ...") names its speaker as
// plainly as "Holmes:" does.

// foldText is s as a reader would compare it: Unicode NFKC (fullwidth and
// styled letters, compatibility colons and spaces become plain ones),
// invisible characters removed, Cyrillic and Greek look-alikes of Latin
// letters folded to Latin, lower case, runs of white space as one space.
func foldText(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if invisible(r) {
			continue
		}
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if l, ok := lookalikes[r]; ok {
			r = l
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// invisible reports characters that render as nothing: format characters
// (zero-width spaces and joiners, soft hyphens, bidi controls, the byte
// order mark, word joiners), variation selectors, the combining grapheme
// joiner and the Hangul fillers.
func invisible(r rune) bool {
	switch {
	case unicode.Is(unicode.Cf, r):
		return true
	case r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF:
		return true
	case r == 0x034F, r == 0x115F, r == 0x1160, r == 0x3164, r == 0xFFA0:
		return true
	}
	return false
}

// lookalikes maps Cyrillic and Greek letters (and a few colons NFKC leaves
// alone) to the Latin letter or ASCII mark they are read as. Upper and
// lower case are mapped separately, by shape: Greek "Ν" reads as N, "ν" as v.
var lookalikes = map[rune]rune{
	// Cyrillic capitals
	'А': 'A', 'В': 'B', 'Е': 'E', 'Ѕ': 'S', 'І': 'I', 'Ј': 'J', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O',
	'Р': 'P', 'С': 'C', 'Т': 'T', 'У': 'Y', 'Х': 'X', 'Ү': 'Y', 'Һ': 'H', 'Ԛ': 'Q', 'Ԝ': 'W', 'Ӏ': 'I', 'Ԁ': 'D',
	// Cyrillic small letters
	'а': 'a', 'в': 'b', 'е': 'e', 'ѕ': 's', 'і': 'i', 'ј': 'j', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o',
	'р': 'p', 'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'ү': 'y', 'һ': 'h', 'ԛ': 'q', 'ԝ': 'w', 'ӏ': 'l',
	'ԁ': 'd', 'ь': 'b', 'ѵ': 'v', 'ɡ': 'g',
	// Greek capitals
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N', 'Ο': 'O',
	'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X', 'Ϲ': 'C', 'Ϳ': 'J',
	// Greek small letters
	'α': 'a', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x', 'ϲ': 'c',
	'ε': 'e', 'γ': 'y', 'ϳ': 'j',
	// Latin letters without a dot, and colons that NFKC keeps
	'ı': 'i', 'ȷ': 'j', '꞉': ':', 'ː': ':', '∶': ':', '׃': ':',
}

const (
	// tagDecorations surround a speaker tag without changing it: emphasis,
	// quotes, white space.
	tagDecorations = " *_~`\"'“”‘’«»„「」『』"
	openBrackets   = "[({<【〔〖《〈"
	closeBrackets  = "])}>】〕〗》〉"
)

// speechVerbs turn "Name says:" into a tag; a verb without the colon
// ("Holmes says we leave at dawn") is reported speech, not a tag.
var speechVerbs = map[string]bool{}

func init() {
	for _, v := range strings.Fields(`says said asks asked replies replied answers answered responds responded
		whispers whispered shouts shouted exclaims exclaimed continues continued adds added speaks spoke
		writes wrote cries cried mutters muttered murmurs murmured yells yelled calls called sighs sighed
		laughs laughed begins began interjects interjected snaps snapped declares declared states stated
		notes noted observes observed remarks remarked retorts retorted goes went`) {
		speechVerbs[v] = true
	}
}

// nameCore is a candidate name as it is matched: folded, without the
// brackets and decorations a tag would wrap it in.
func nameCore(name string) string {
	return strings.Trim(foldText(name), tagDecorations+openBrackets+closeBrackets+":")
}

// tagNames reports whether folded text s opens with a speaker tag naming
// name (a nameCore): "name:", "name (aside):", "name says:", or a
// bracketed "[name]" whatever follows it.
func tagNames(s, name string) bool {
	s = strings.TrimLeft(s, tagDecorations)
	bracketed := s != "" && strings.ContainsRune(openBrackets, firstRune(s))
	core := strings.TrimLeft(s, tagDecorations+openBrackets)
	rest, ok := strings.CutPrefix(core, name)
	if !ok || (rest != "" && isWordRune(firstRune(rest))) {
		return false
	}
	rest = strings.TrimLeft(rest, tagDecorations)
	if bracketed && rest != "" && strings.ContainsRune(closeBrackets, firstRune(rest)) {
		return true
	}
	rest = strings.TrimLeft(rest, tagDecorations+closeBrackets)
	rest = skipParenthetical(rest)
	if strings.HasPrefix(rest, ":") {
		return true
	}
	// "name says:" and "name says (quietly):"
	verb, after, _ := strings.Cut(rest, " ")
	if !speechVerbs[strings.TrimRight(verb, ":")] {
		return false
	}
	if strings.HasSuffix(verb, ":") {
		return true
	}
	after = skipParenthetical(strings.TrimLeft(after, tagDecorations))
	return strings.HasPrefix(after, ":")
}

// skipParenthetical drops one leading "(...)" stage direction.
func skipParenthetical(s string) string {
	if !strings.HasPrefix(s, "(") {
		return s
	}
	if i := strings.IndexByte(s, ')'); i >= 0 && i < 80 {
		return strings.TrimLeft(s[i+1:], tagDecorations)
	}
	return s
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

// lineCore is a line as compared with another: folded, without the quotes
// and closing punctuation around it.
func lineCore(s string) string {
	return strings.Trim(foldText(s), tagDecorations+".,!?;:…-—–")
}

// minContainedWords is how long a target must be before a candidate's
// turn that merely contains it counts as giving it away: a whole sentence,
// not an interjection ("No.") that any turn may hold.
const minContainedWords = 4

// repeatsLine reports whether a dialogue turn's text gives the target
// line: the same line, or, for a target of a sentence or more, a turn
// containing it.
func repeatsLine(turnText, target string) bool {
	t, l := lineCore(turnText), lineCore(target)
	if l == "" {
		return false
	}
	if t == l {
		return true
	}
	return len(strings.Fields(l)) >= minContainedWords && strings.Contains(t, l)
}
