package llmfake

import (
	"math"
	"regexp"

	"github.com/personajudge/personajudge/internal/chatwire"
)

// tokenRE cuts text the way a tokenizer roughly does: runs of letters or
// digits, and every other character alone.
var tokenRE = regexp.MustCompile(`[\pL\pN]+|[^\pL\pN]`)

// AnswerTokens splits content into tokens that concatenate back to it, each
// certain (log-probability 0), except the first word or number after the
// key (for example the "A" of "choice":"A"): it gets probability p, with
// the rival "~" holding the rest in its top list.
func AnswerTokens(content, key string, p float64) []chatwire.Token {
	var out []chatwire.Token
	afterKey, done := false, false
	for _, tok := range tokenRE.FindAllString(content, -1) {
		t := chatwire.Token{Token: tok, TopLogprobs: []chatwire.TopToken{{Token: tok}}}
		switch {
		case tok == key:
			afterKey = true
		case afterKey && !done && isWord(tok):
			done = true
			t.Logprob = math.Log(p)
			t.TopLogprobs = []chatwire.TopToken{{Token: tok, Logprob: t.Logprob}}
			if p < 1 {
				t.TopLogprobs = append(t.TopLogprobs, chatwire.TopToken{Token: "~", Logprob: math.Log(1 - p)})
			}
		}
		out = append(out, t)
	}
	return out
}

// isWord reports whether a token is letters or digits, not punctuation.
func isWord(tok string) bool { return wordRE.MatchString(tok) }

var wordRE = regexp.MustCompile(`^[\pL\pN]+$`)
