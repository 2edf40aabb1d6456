package server

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/personajudge/personajudge/internal/llmfake"
	"google.golang.org/protobuf/encoding/protojson"
)

// Responses are gzipped only above CompressMinBytes, even when the caller
// accepts gzip: a rationale of a few words is sent as it is, a very long one
// compressed.
func TestResponseCompressedOnlyAboveThreshold(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		rationale  int // bytes of rationale in each vote (sent twice: rationale and raw answer)
		compressed bool
	}{
		{"small response", 10, false},
		{"below the threshold", CompressMinBytes / 8, false},
		{"large response", 4 * CompressMinBytes, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			answer := fmt.Sprintf(`{"rationale":%q,"choice":"A","certainty":90}`, strings.Repeat("x", c.rationale))
			h := newHarness(t, func(*llmfake.Request, int64) llmfake.Reply { return llmfake.Reply{Content: answer} })
			body, err := protojson.Marshal(prefItem(0))
			if err != nil {
				t.Fatal(err)
			}
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost,
				h.srv.URL+"/personajudge.v1.JudgeService/Score", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			// Set by hand, so the transport hands back the body as sent.
			req.Header.Set("Accept-Encoding", "gzip")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", res.StatusCode, raw)
			}
			gzipped := res.Header.Get("Content-Encoding") == "gzip"
			if gzipped != c.compressed {
				t.Fatalf("Content-Encoding %q for a %d-byte body, want compressed=%v",
					res.Header.Get("Content-Encoding"), len(raw), c.compressed)
			}
		})
	}
}
