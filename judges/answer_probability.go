package judges

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// answerKeyed is a task whose answer is one short value under a JSON key
// (a choice letter, a rubric score), so the backend's probability of that
// value's token says how sure the model was of its answer. Role
// identification answers with a distribution and has no such token.
type answerKeyed interface {
	// answerKeys are the keys Parse accepts for the answer, in the order
	// it tries them.
	answerKeys() []string
}

func (p *Preference) answerKeys() []string {
	return []string{"choice", "answer", "verdict", "preferred"}
}

func (a *Adherence) answerKeys() []string { return []string{"score", "rating", "level"} }

// logprobSumSlack is how far above 1 the probabilities of a top-logprob
// list may sum (rounding) before the list is taken as nonsense.
const logprobSumSlack = 1e-6

// answerProbability finds the answer's token among the content tokens and
// returns its probability, exp(logprob).
//
// How the token is found: the tokens are joined back into text; the first
// of the task's answer keys that appears as a JSON key ("choice": ...) marks
// where the value starts (after the colon, blanks and an opening quote);
// the token covering the value's first character is the answer token (a
// token may also carry the quote before it, as `"A` does). ok is false when
// the backend returned no tokens, the task has no answer token, or no key
// is found (for example in output repaired from free text). err is set
// when the numbers cannot be probabilities: a NaN or infinite logprob, one
// above 0, or a top-logprob list whose probabilities sum above 1.
func answerProbability(t Task, tokens []clients.TokenLogprob) (p float64, ok bool, err error) {
	ak, isKeyed := t.(answerKeyed)
	if !isKeyed || len(tokens) == 0 {
		return 0, false, nil
	}
	var text strings.Builder
	for _, tok := range tokens {
		text.WriteString(tok.Token)
	}
	pos := -1
	for _, key := range ak.answerKeys() {
		if m := answerValueRE(key).FindStringIndex(text.String()); m != nil {
			pos = m[1]
			break
		}
	}
	if pos < 0 {
		return 0, false, nil
	}
	end := 0
	for _, tok := range tokens {
		end += len(tok.Token)
		if end <= pos {
			continue
		}
		if err := checkLogprobs(tok); err != nil {
			return 0, false, err
		}
		return math.Exp(tok.Logprob), true, nil
	}
	return 0, false, nil
}

// answerValueRE matches a JSON key and what separates it from its value, so
// the match ends where the value's first character is.
func answerValueRE(key string) *regexp.Regexp {
	re, ok := answerValueREs[key]
	if !ok {
		panic("judges: no answer pattern for key " + key)
	}
	return re
}

var answerValueREs = func() map[string]*regexp.Regexp {
	m := map[string]*regexp.Regexp{}
	for _, k := range []string{"choice", "answer", "verdict", "preferred", "score", "rating", "level"} {
		m[k] = regexp.MustCompile(`(?i)"` + k + `"\s*:\s*"?\s*`)
	}
	return m
}()

// checkLogprobs reports whether a token's numbers can be probabilities.
func checkLogprobs(tok clients.TokenLogprob) error {
	if math.IsNaN(tok.Logprob) || math.IsInf(tok.Logprob, 0) || tok.Logprob > 0 {
		return fmt.Errorf("answer token %q has logprob %v", tok.Token, tok.Logprob)
	}
	var sum float64
	for _, a := range tok.Top {
		if math.IsNaN(a.Logprob) || a.Logprob > 0 {
			return fmt.Errorf("top logprob of %q is %v", a.Token, a.Logprob)
		}
		sum += math.Exp(a.Logprob)
	}
	if sum > 1+logprobSumSlack {
		return fmt.Errorf("top logprobs of answer token %q sum to probability %.6f, above 1", tok.Token, sum)
	}
	return nil
}

// fillAnswerProbability sets the vote's answer probability from the call's
// token logprobs. Tokens that cannot be probabilities leave it unset with a
// warning: a backend's odd numbers never fail a vote.
func (e *Engine) fillAnswerProbability(v *pb.Vote, t Task, tokens []clients.TokenLogprob) {
	p, ok, err := answerProbability(t, tokens)
	if err != nil {
		e.log.Warn("token logprobs unusable; answer_probability left unset", "model", v.Model, "kind", t.Kind(), "err", err)
		return
	}
	if ok {
		v.AnswerProbability = &p
	}
}

// meanAnswerProbability is the mean answer probability over the votes that
// counted (valid, of a model not excluded) and carry one; NaN when none
// does, as calibration.Sample marks a missing feature.
func (j *Judgment) meanAnswerProbability() float64 {
	failed := map[string]bool{}
	for _, m := range j.FailedModels {
		failed[m] = true
	}
	var sum float64
	n := 0
	for _, v := range j.Votes {
		if v.AnswerProbability == nil || !valid(v) || failed[v.Model] {
			continue
		}
		sum += *v.AnswerProbability
		n++
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}
