package clients

import "context"

// CachedResponse is what the cache keeps of a judge call that was read
// successfully: enough to re-parse it and to report the tokens it cost.
type CachedResponse struct {
	Content          string `json:"content"`
	PromptTokens     int64  `json:"prompt_tokens"`
	CompletionTokens int64  `json:"completion_tokens"`
	// AnswerProbability is the vote's answer-token probability, kept
	// because token logprobs cannot be re-read from the content; nil when
	// the backend returned none.
	AnswerProbability *float64 `json:"answer_probability,omitempty"`
}

// Cache is the content-addressed LLM response cache. Keys are digests of
// everything that determines an answer (judge profile, normalized inputs,
// order shown, sample index, temperature, model); the store implements it.
// Errors are never cached: only responses that parsed are put.
type Cache interface {
	GetResponse(ctx context.Context, key string) (CachedResponse, bool, error)
	PutResponse(ctx context.Context, key string, r CachedResponse) error
}
