package clients

import (
	"errors"
	"net/http"
	"strings"

	"github.com/openai/openai-go/v3"
)

// topLogprobs is how many alternatives per token are asked for: enough to
// check that an answer token's probability is sensible against its rivals
// (a choice letter has few), few enough to keep responses small.
const topLogprobs = 5

// TokenLogprob is one generated token with its log-probability and the most
// likely alternatives at its position, as the backend reported them.
type TokenLogprob struct {
	Token   string
	Logprob float64
	Top     []TopLogprob
}

// TopLogprob is one alternative token at a position.
type TopLogprob struct {
	Token   string
	Logprob float64
}

// tokensOf copies the content tokens of a choice's logprobs; nil when the
// backend returned none (it ignored the option, or never supports it).
func tokensOf(lp openai.ChatCompletionChoiceLogprobs) []TokenLogprob {
	if len(lp.Content) == 0 {
		return nil
	}
	out := make([]TokenLogprob, len(lp.Content))
	for i, t := range lp.Content {
		out[i] = TokenLogprob{Token: t.Token, Logprob: t.Logprob}
		for _, a := range t.TopLogprobs {
			out[i].Top = append(out[i].Top, TopLogprob{Token: a.Token, Logprob: a.Logprob})
		}
	}
	return out
}

// refusesLogprobs reports whether a 400 says the backend does not take the
// logprobs option (reasoning models and some OpenAI-compatible servers
// answer so). Such a model is then asked without it: token probabilities
// are a missing feature there, never a failed judgment.
func refusesLogprobs(err error) bool {
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
		return false
	}
	msg := strings.ToLower(apiErr.Message + " " + apiErr.Param + " " + apiErr.RawJSON())
	return strings.Contains(msg, "logprobs")
}
