package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/chromedp/chromedp"
	"github.com/personajudge/personajudge/clients"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
	"github.com/personajudge/personajudge/server"
)

// findChromium returns a headless-capable Chromium, skipping the test when
// there is none, except under CI=true, where a missing browser is a
// failure: CI installs it (.ci/run).
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found (apt-get install -y chromium); the browser tests of the web console did not run"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// consoleJudge answers by content with certainty 90, except items that say
// UNSURE (certainty 60, which the seeded calibrator makes improbable) and
// items that say BIASED (the first label shown, so their orders disagree).
func consoleJudge() llmfake.Behavior {
	first := fakejudge.FirstLabel(70)
	sure, unsure := fakejudge.ContentPreference("GOOD", 90), fakejudge.ContentPreference("GOOD", 60)
	return func(req *llmfake.Request, n int64) llmfake.Reply {
		switch u := req.User(); {
		case strings.Contains(u, "BIASED"):
			return first(req, n)
		case strings.Contains(u, "UNSURE"):
			return unsure(req, n)
		}
		return sure(req, n)
	}
}

// bearerTransport sends the admin key, as the console's user would.
type bearerTransport struct{ key string }

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.key)
	return http.DefaultTransport.RoundTrip(r)
}

// consoleServer runs serve's routes in process (the service, API keys with
// one admin key, the console) against the LLM fake, and seeds it: a
// calibrator v1 fitted on imported outcomes, judgments (sure, unsure and
// biased ones, tagged) and one recorded eval run.
func consoleServer(t *testing.T, key string) (url string, judge personajudgev1connect.JudgeServiceClient, console personajudgev1connect.ConsoleServiceClient, unsureID, profile string) {
	t.Helper()
	fake := llmfake.New(consoleJudge())
	t.Cleanup(fake.Close)
	w, err := newService(t.Context(), wiring{
		models:    clients.FileConfig{Models: []clients.ModelConfig{{Name: "judge", BaseURL: fake.BaseURL(), MaxConcurrency: 8}}},
		db:        filepath.Join(t.TempDir(), "pj.db"),
		maxReasks: 1,
		log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.close() })
	gate, err := server.NewGate([]server.KeyConfig{{Name: "reviewer", SHA256: server.HashKey(key), Role: server.RoleAdmin}}, server.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	h, err := routes(w, http.NotFoundHandler(), nil, connect.WithInterceptors(gate.Interceptor()))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	hc := &http.Client{Transport: bearerTransport{key}}
	judge = personajudgev1connect.NewJudgeServiceClient(hc, srv.URL, connect.WithProtoJSON())
	cal := personajudgev1connect.NewCalibrationServiceClient(hc, srv.URL, connect.WithProtoJSON())
	console = personajudgev1connect.NewConsoleServiceClient(hc, srv.URL, connect.WithProtoJSON())
	ctx := t.Context()
	score := func(item, query string, tags map[string]string) *pb.ScoreResponse {
		resp, err := judge.Score(ctx, &pb.ScoreRequest{ItemId: item, Tags: tags, Task: &pb.ScoreRequest_Preference{Preference: &pb.PersonalizedPreferenceTask{
			Persona: "A frugal student who cycles everywhere.", Query: query,
			ResponseA: "Cycle there; it is free. GOOD", ResponseB: "Hire a limousine.",
		}}})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	profile = score("warm-up", "How do I get to campus?", nil).JudgeProfile
	// History: sure answers (certainty 90) were mostly right, unsure ones
	// (60) mostly wrong, so the calibrator puts the unsure ones low.
	var records []*pb.RawOutcome
	for i := range 60 {
		if i%2 == 0 {
			records = append(records, &pb.RawOutcome{Profile: profile, Certainty: 90, Correct: i%10 != 0})
		} else {
			records = append(records, &pb.RawOutcome{Profile: profile, Certainty: 60, Correct: i%6 == 1})
		}
	}
	if _, err := cal.ImportOutcomes(ctx, &pb.ImportOutcomesRequest{Records: records}); err != nil {
		t.Fatal(err)
	}
	if _, err := cal.FitCalibrator(ctx, &pb.FitCalibratorRequest{Profile: profile, Method: pb.CalibrationMethod_CALIBRATION_METHOD_ISOTONIC}); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		score(fmt.Sprintf("sure-%d", i), fmt.Sprintf("Route %d to the library?", i), map[string]string{"track": "library"})
	}
	score("biased-1", "Which way to the station? BIASED", map[string]string{"track": "station"})
	unsure := score("unsure-1", "Best way to the airport? UNSURE", map[string]string{"track": "airport"})
	if unsure.CalibratedProbability == nil || unsure.GetCalibratedProbability() >= server.DefaultReviewProbability {
		t.Fatalf("the unsure item's calibrated probability is %v; the fixture needs it below %v", unsure.CalibratedProbability, server.DefaultReviewProbability)
	}
	if _, err := console.RecordEvalRun(ctx, &pb.RecordEvalRunRequest{Name: "nightly", SummaryJson: `{"results":6,"metrics":{"accuracy":{"value":0.83,"n":6}}}`}); err != nil {
		t.Fatal(err)
	}
	return srv.URL, judge, console, unsure.JudgmentId, profile
}

// screenshotDir is where the browser tests leave a screenshot of each page
// (gitignored).
func screenshotDir(t *testing.T) string {
	dir, err := filepath.Abs(filepath.Join("..", "..", "web", "e2e-output"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestConsoleInBrowser drives the web console in headless Chromium against
// serve's routes: enter the key, filter the judgments, open one, label the
// unsure one from the review queue (the label is stored), refit (the new
// calibrator counts that label), and look at the calibration report and an
// eval run. A screenshot of each page goes to web/e2e-output/.
func TestConsoleInBrowser(t *testing.T) {
	chromium := findChromium(t)
	const key = "pj-console-admin-0123456789"
	base, _, console, unsureID, profile := consoleServer(t, key)
	shots := screenshotDir(t)
	t.Logf("screenshots: %s", shots)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.WindowSize(1400, 1000))
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelTimeout()

	step := func(name string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	// until waits for a JavaScript predicate on the page.
	until := func(expr string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond))(ctx, tg)
			return chromedp.Void{}, err
		}
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100) /* 100: PNG */)
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rows := `document.querySelectorAll('#judgment-rows tr').length`

	// Without a key the API refuses, and the page says so.
	step("load", chromedp.Navigate(base+"/"), until(`!!document.querySelector('#main .error')`))
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#main .error")))
	if err != nil || !strings.Contains(msg, "unauthenticated") {
		t.Fatalf("without a key the page says %q (%v)", msg, err)
	}
	step("enter the key", chromedp.SetValue(chromedp.CSS("#api-key"), key), chromedp.Click(chromedp.CSS("#key-form button")),
		until(rows+` === 7`))
	shot("judgments.png")

	step("filter by status", chromedp.SetValue(chromedp.CSS("#f-status"), "ABSTAIN"), chromedp.Click(chromedp.CSS("#apply")),
		until(rows+` === 1 && document.querySelector('#judgment-rows tr td:nth-child(2)').textContent === 'biased-1'`))
	step("filter by tag", chromedp.Navigate(base+"/#/judgments?tags=track%3Dlibrary"), until(rows+` === 4`))

	step("open a judgment", chromedp.Click(chromedp.CSS(`#judgment-rows tr td:nth-child(2) a`)),
		until(`document.querySelectorAll('#judgment-detail table.votes tbody tr').length === 2`))
	detail, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#judgment-detail")))
	if err != nil || !strings.Contains(detail, "scripted") || !strings.Contains(detail, "Cycle there") {
		t.Fatalf("the judgment page shows no rationale or request: %q (%v)", detail, err)
	}
	shot("judgment.png")

	row := fmt.Sprintf(`tr[data-judgment-id=%q]`, unsureID)
	step("review queue", chromedp.Navigate(base+"/#/review"), until(fmt.Sprintf(`!!document.querySelector('%s')`, row)))
	step("open the unsure item", chromedp.Click(chromedp.CSS(row+" .open-review")),
		until(`!!document.querySelector('.review-panel [data-label-index="0"]')`))
	shot("review.png")
	step("label it", chromedp.Click(chromedp.CSS(`.review-panel [data-label-index="0"]`)),
		until(`document.querySelector('.review-panel .label-result').textContent.startsWith('Recorded')`))
	listed, err := console.ListJudgments(ctx, &pb.ListJudgmentsRequest{Tags: map[string]string{"track": "airport"}})
	if err != nil || len(listed.Judgments) != 1 || listed.Judgments[0].Label.GetChoice() != 0 || listed.Judgments[0].Label.Choice == nil {
		t.Fatalf("the label was not stored: %v (%v)", listed.GetJudgments(), err)
	}

	before, err := console.ListCalibrators(ctx, &pb.ListCalibratorsRequest{Profile: profile})
	if err != nil || len(before.Calibrators) != 1 {
		t.Fatalf("calibrators before the refit: %v (%v)", before.GetCalibrators(), err)
	}
	step("refit", chromedp.Click(chromedp.CSS("#refit")),
		until(`document.querySelector('#refit-result').textContent.startsWith('New calibrator v2')`))
	after, err := console.ListCalibrators(ctx, &pb.ListCalibratorsRequest{Profile: profile})
	if err != nil || len(after.Calibrators) != 2 {
		t.Fatalf("calibrators after the refit: %v (%v)", after.GetCalibrators(), err)
	}
	v2, v1 := after.Calibrators[0].Info, after.Calibrators[1].Info
	if v2.Version != "v2" || !v2.Active || v2.N != v1.N+1 {
		t.Fatalf("refit made %v after %v; want v2, active, fitted on one outcome more (the label)", v2, v1)
	}
	shot("review-refit.png")

	step("calibration", chromedp.Navigate(base+"/#/calibration"),
		until(`document.querySelectorAll('#report-charts svg polyline').length >= 3 && document.querySelectorAll('#calibrators tbody tr').length === 2`))
	shot("calibration.png")

	step("eval runs", chromedp.Navigate(base+"/#/runs"), until(`!!document.querySelector('#runs a')`),
		chromedp.Click(chromedp.CSS("#runs a")), until(`!!document.querySelector('#run-summary')`))
	summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#run-summary")))
	if err != nil || !strings.Contains(summary, "metrics.accuracy.value") {
		t.Fatalf("the run page shows %q (%v)", summary, err)
	}
	shot("eval-run.png")
}
