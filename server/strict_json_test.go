package server

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/personajudge/personajudge/internal/fakejudge"
)

const validPreferenceJSON = `"preference":{"persona":"A frugal student.","query":"Dinner?","responseA":"Steak. GOOD","responseB":"Lobster."}`

// JSON requests are decoded strictly: a misspelt field or enum name is
// refused with InvalidArgument naming it, never judged with defaults.
// (connect's own JSON codec discards unknown fields and enum names.)
func TestStrictJSONRefusesUnknownFieldsAndEnumNames(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakejudge.ContentPreference("GOOD", 80))
	tests := []struct {
		name, body, contentType string
		want                    string // "" = accepted
	}{
		{"known fields", `{"itemId":"ok",` + validPreferenceJSON + `,"judge":{"allowTie":true,"orderPolicy":"ORDER_POLICY_SINGLE"}}`, "application/json", ""},
		{"proto field names", `{"item_id":"ok2",` + validPreferenceJSON + `,"judge":{"allow_tie":true,"order_policy":"ORDER_POLICY_REVERSED"}}`, "application/json", ""},
		{"enum as a number", `{"itemId":"ok3",` + validPreferenceJSON + `,"judge":{"orderPolicy":2}}`, "application/json", ""},
		{"misspelt judge option", `{` + validPreferenceJSON + `,"judge":{"allowTies":true}}`, "application/json", `allowTies`},
		{"misspelt enum name", `{` + validPreferenceJSON + `,"judge":{"orderPolicy":"ORDER_POLICY_SINGLEX"}}`, "application/json", `ORDER_POLICY_SINGLEX`},
		{"both, as reported", `{` + validPreferenceJSON + `,"judge":{"allowTies":true,"orderPolicy":"ORDER_POLICY_SINGLEX"}}`, "application/json", `allowTies`},
		{"unknown top-level field", `{"itemID":"x",` + validPreferenceJSON + `}`, "application/json", `itemID`},
		{"unknown nested field", `{"preference":{"persona":"p","query":"q","responseA":"a","responceB":"b"}}`, "application/json", `responceB`},
		{"unknown cache policy name", `{` + validPreferenceJSON + `,"judge":{"cache":"CACHE_POLICY_NEVER"}}`, "application/json", `CACHE_POLICY_NEVER`},
		{"charset variant", `{` + validPreferenceJSON + `,"judge":{"allowTies":true}}`, "application/json; charset=utf-8", `allowTies`},
	}
	accepted := 0
	for _, tt := range tests {
		res, err := http.Post(h.srv.URL+"/personajudge.v1.JudgeService/Score", tt.contentType, strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if tt.want == "" {
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s: HTTP %d %s, want 200", tt.name, res.StatusCode, clip(string(body), 300))
			}
			accepted++
			continue
		}
		var e struct{ Code, Message string }
		if err := json.Unmarshal(body, &e); err != nil || e.Code != "invalid_argument" || !strings.Contains(e.Message, tt.want) {
			t.Errorf("%s: HTTP %d %s; want invalid_argument naming %s", tt.name, res.StatusCode, clip(string(body), 300), tt.want)
		}
	}
	if n := h.judgments(t); n != accepted {
		t.Fatalf("%d judgments stored, want %d (refused requests are not judged)", n, accepted)
	}

	// A stream item with a misspelt field ends the stream with
	// InvalidArgument naming it: it cannot be decoded, so it has no item id
	// to answer under.
	item := []byte(`{"item":{"itemId":"s1",` + validPreferenceJSON + `,"judge":{"samplesPerOrdr":2}}}`)
	var env bytes.Buffer
	env.WriteByte(0)
	binary.Write(&env, binary.BigEndian, uint32(len(item)))
	env.Write(item)
	h2c := &http.Client{Transport: &http.Transport{Protocols: unencryptedHTTP2()}}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, h.srv.URL+"/personajudge.v1.JudgeService/ScoreStream", &env)
	req.Header.Set("Content-Type", "application/connect+json")
	res, err := h2c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Contains(body, []byte(`"invalid_argument"`)) || !bytes.Contains(body, []byte("samplesPerOrdr")) {
		t.Fatalf("stream answer %q; want an invalid_argument end naming samplesPerOrdr", body)
	}
	if n := h.judgments(t); n != accepted {
		t.Fatalf("the stream item was judged")
	}
}
