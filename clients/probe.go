package clients

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// ProbeTimeout bounds the start-up probe of one backend: long enough for a
// local server to answer, short enough that a dead one does not hold up the
// start.
const ProbeTimeout = 3 * time.Second

// Probe asks the model's backend once for its model list (GET /models, a
// call that costs no tokens) so that a wrong address or key shows at start,
// not at the first judgment. Any HTTP answer but 401 or 403 counts as
// answering: some OpenAI-compatible servers do not implement /models. The
// error, when not nil, is meant for the operator's log (it may name the
// address, never the key).
func (m *Model) Probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
	defer cancel()
	_, err := m.client.Models.List(ctx, option.WithMaxRetries(0), option.WithRequestTimeout(ProbeTimeout))
	if err == nil {
		return nil
	}
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		switch apiErr.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			return fmt.Errorf("backend refuses the API key (HTTP %d); check %s", apiErr.StatusCode, keyHint(m.cfg))
		default:
			return nil
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("backend did not answer within %s", ProbeTimeout)
	}
	return fmt.Errorf("backend does not answer: %w", err)
}

func keyHint(c ModelConfig) string {
	if c.APIKeyEnv == "" {
		return "the model's api_key_env"
	}
	return "$" + c.APIKeyEnv
}

// BaseURL is the backend's address for logs: user info and query (where
// some gateways carry a key) are dropped.
func (m *Model) BaseURL() string { return RedactURL(m.cfg.BaseURL) }

// RedactURL drops the credentials a URL may carry (user:password@, the
// query string, the fragment), keeping scheme, host and path.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery, u.Fragment, u.RawFragment = nil, "", "", ""
	u.ForceQuery = false
	return u.String()
}
