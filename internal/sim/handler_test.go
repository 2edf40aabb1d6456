package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/personajudge/personajudge/internal/testwait"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
)

func serveSim(t *testing.T, cfg Config) (*Handler, *httptest.Server) {
	t.Helper()
	h, err := NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv
}

// engine judges through the real openai-go client, as the service does.
func engine(t *testing.T, baseURL string) *judges.Engine {
	t.Helper()
	zero := 0
	reg, err := clients.NewRegistry(clients.FileConfig{Models: []clients.ModelConfig{
		{Name: "sim", BaseURL: baseURL + "/v1", MaxConcurrency: 8, Timeout: "10s", MaxRetries: &zero},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return judges.NewEngine(reg, judges.WithMaxReasks(2))
}

// The simulator reads the service's real preference prompts: a perfect,
// unbiased simulator agrees with the generator's label on every item, in
// both orders.
func TestSimulatorReadsServicePrompts(t *testing.T) {
	t.Parallel()
	h, srv := serveSim(t, Config{Accuracy: 1, Certainty: Certainty{Exponent: 1}, Seed: 1})
	e := engine(t, srv.URL)
	g := NewGenerator(2)
	const n = 40
	for range n {
		it := g.Next()
		resp, err := e.Judge(t.Context(), &judges.Preference{Item: it.Request.GetPreference()},
			judges.Config{Models: []string{"sim"}, Policy: pb.OrderPolicy_ORDER_POLICY_CYCLIC, Samples: 1})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT || resp.Verdict.GetChoice() != it.Label.GetChoice() || resp.Consistency != 1 {
			t.Fatalf("%s: status %v verdict %v consistency %v, want choice %d", it.Request.ItemId, resp.Status, resp.Verdict, resp.Consistency, it.Label.GetChoice())
		}
		for _, v := range resp.Votes {
			if v.ParseStatus != pb.ParseStatus_PARSE_STATUS_OK {
				t.Fatalf("vote parse status %v: %s", v.ParseStatus, v.RawAnswer)
			}
		}
	}
	if st := h.Stats(); st.Calls != 2*n || st.Answered != 2*n {
		t.Fatalf("stats %+v, want %d calls answered", st, 2*n)
	}
}

// A judge that always picks the first label shown makes every swapped
// judgment disagree with itself: the service abstains.
func TestFullPositionBiasAbstains(t *testing.T) {
	t.Parallel()
	_, srv := serveSim(t, Config{Accuracy: 1, PositionBias: 1, Certainty: Certainty{Exponent: 1}, Seed: 1})
	e := engine(t, srv.URL)
	it := NewGenerator(2).Next()
	resp, err := e.Judge(t.Context(), &judges.Preference{Item: it.Request.GetPreference()},
		judges.Config{Models: []string{"sim"}, Policy: pb.OrderPolicy_ORDER_POLICY_CYCLIC, Samples: 1})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN || resp.Consistency != 0.5 {
		t.Fatalf("status %v consistency %v, want ABSTAIN at 0.5", resp.Status, resp.Consistency)
	}
}

// post sends one rendered preference prompt and returns the HTTP answer.
func post(t *testing.T, url string, hdr map[string]string) (*http.Response, map[string]any) {
	t.Helper()
	p := NewGenerator(4).Next().Request.GetPreference()
	task := &judges.Preference{Item: p}
	sys, user := task.Prompt([]int{0, 1}, judges.NewFence(task.Untrusted()...))
	body, _ := json.Marshal(map[string]any{"model": "sim", "messages": []any{
		map[string]any{"role": "system", "content": sys}, map[string]any{"role": "user", "content": user},
	}})
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp, out
}

func content(out map[string]any) string {
	ch, _ := out["choices"].([]any)
	if len(ch) == 0 {
		return ""
	}
	msg, _ := ch[0].(map[string]any)["message"].(map[string]any)
	s, _ := msg["content"].(string)
	return s
}

func TestHandlerFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		cfg    Config
		status int
		check  func(t *testing.T, resp *http.Response, out map[string]any)
	}{
		{"429 carries Retry-After-Ms", Config{Rate429: 1, RetryAfter: 250 * time.Millisecond}, 429, func(t *testing.T, resp *http.Response, _ map[string]any) {
			if got := resp.Header.Get("Retry-After-Ms"); got != "250" {
				t.Errorf("Retry-After-Ms %q, want 250", got)
			}
		}},
		{"500", Config{Rate500: 1}, 500, nil},
		{"malformed output cannot be parsed", Config{RateMalformed: 1}, 200, func(t *testing.T, _ *http.Response, out map[string]any) {
			if _, err := (&judges.Preference{}).Parse(content(out), []int{0, 1}); err == nil {
				t.Errorf("malformed content %q parsed", content(out))
			}
		}},
		{"answer parses", Config{}, 200, func(t *testing.T, _ *http.Response, out map[string]any) {
			p, err := (&judges.Preference{}).Parse(content(out), []int{0, 1})
			if err != nil || p.Repaired || p.Certainty < 1 || p.Certainty > 100 {
				t.Errorf("answer %q: %+v, %v", content(out), p, err)
			}
			if u, _ := out["usage"].(map[string]any); u["prompt_tokens"].(float64) < 100 {
				t.Errorf("usage %v: prompt tokens not counted", u)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := tc.cfg
			cfg.Accuracy, cfg.Certainty.Exponent = 0.8, 1
			_, srv := serveSim(t, cfg)
			resp, out := post(t, srv.URL+"/v1/chat/completions", nil)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (%v)", resp.StatusCode, tc.status, out)
			}
			if tc.check != nil {
				tc.check(t, resp, out)
			}
		})
	}
}

// The retry count the OpenAI SDKs send picks the fault draw: some retry of
// a call that hit a 429 gets through.
func TestHandlerRetryCountRedraws(t *testing.T) {
	t.Parallel()
	_, srv := serveSim(t, Config{Accuracy: 0.8, Certainty: Certainty{Exponent: 1}, Rate429: 0.5})
	statuses := map[int]int{}
	for i := range 12 {
		resp, _ := post(t, srv.URL+"/v1/chat/completions", map[string]string{"X-Stainless-Retry-Count": string(rune('0' + i%10))})
		statuses[resp.StatusCode]++
	}
	if statuses[200] == 0 || statuses[429] == 0 {
		t.Fatalf("statuses over retries %v, want both 200 and 429", statuses)
	}
}

func TestHandlerRejects(t *testing.T) {
	t.Parallel()
	h, srv := serveSim(t, DefaultConfig())
	resp, err := http.Post(srv.URL+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"sim","messages":[{"role":"user","content":"hello"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a prompt without fenced blocks: status %d, want 400", resp.StatusCode)
	}
	resp, err = http.Get(srv.URL + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /v1/models: status %d, want 404", resp.StatusCode)
	}
	if st := h.Stats(); st.Rejected != 1 || st.Calls != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// Over capacity, calls are shed with 429 while the others are answered.
func TestHandlerCapacitySheds(t *testing.T) {
	t.Parallel()
	h, srv := serveSim(t, Config{Accuracy: 0.8, Certainty: Certainty{Exponent: 1}, Capacity: 1, Latency: Latency{Base: time.Minute}})
	url := srv.URL + "/v1/chat/completions"
	ctx, cancel := context.WithCancel(t.Context())
	held := make(chan struct{})
	go func() {
		defer close(held)
		p := NewGenerator(4).Next().Request.GetPreference()
		task := &judges.Preference{Item: p}
		sys, user := task.Prompt([]int{0, 1}, judges.NewFence(task.Untrusted()...))
		body, _ := json.Marshal(map[string]any{"model": "sim", "messages": []any{
			map[string]any{"role": "system", "content": sys}, map[string]any{"role": "user", "content": user}}})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	// The handler has no hook to signal it, so poll until the first call
	// holds the only slot.
	testwait.For(t, "the first call to hold the only slot", 10*time.Second, func() bool { return h.Stats().InFlight != 0 })
	resp, _ := post(t, url, nil)
	cancel()
	<-held
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After-Ms") == "" {
		t.Fatalf("second call: status %d, want 429 with Retry-After-Ms", resp.StatusCode)
	}
	if st := h.Stats(); st.Shed != 1 || st.Status429 != 1 {
		t.Fatalf("stats %+v", st)
	}
}
