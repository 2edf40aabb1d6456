package realdata

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/personajudge/personajudge/clients"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/internal/fakejudge"
	"github.com/personajudge/personajudge/internal/llmfake"
	"github.com/personajudge/personajudge/judges"
	"github.com/personajudge/personajudge/server"
	"github.com/personajudge/personajudge/store"
)

var recorded = regexp.MustCompile(`recorded answer=([AB]) certainty=(\d+)`)

// replay answers every call with the answer and certainty its item
// recorded (ItemText), as the judge did when the outcome was recorded.
func replay(req *llmfake.Request, _ int64) llmfake.Reply {
	for _, m := range req.Messages {
		if g := recorded.FindStringSubmatch(m.Content); g != nil {
			var c int
			fmt.Sscan(g[2], &c)
			return llmfake.Reply{Content: fakejudge.PreferenceAnswer(g[1], c)}
		}
	}
	return llmfake.Reply{Status: http.StatusBadRequest, ErrorMessage: "no recorded answer"}
}

// service starts the real service (SQLite store, engine, RPC handler) with
// one judge model per profile, all answered by the replaying fake.
func service(t *testing.T, models int) Clients {
	t.Helper()
	fake := llmfake.New(replay)
	t.Cleanup(fake.Close)
	var fc clients.FileConfig
	for i := range models {
		fc.Models = append(fc.Models, clients.ModelConfig{Name: modelName(i), BaseURL: fake.BaseURL(), MaxConcurrency: 16})
	}
	reg, err := clients.NewRegistry(fc)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "pj.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := server.NewService(judges.NewEngine(reg, judges.WithCalibrators(st), judges.WithLogger(log)), st, server.WithLogger(log))
	srv := httptest.NewServer(server.NewHandler(svc))
	t.Cleanup(srv.Close)
	return Clients{
		Judge:       personajudgev1connect.NewJudgeServiceClient(srv.Client(), srv.URL),
		Calibration: personajudgev1connect.NewCalibrationServiceClient(srv.Client(), srv.URL),
	}
}

func modelName(i int) string { return fmt.Sprintf("judge-%02d", i) }

// A small judge whose certainty carries signal: the whole path (import,
// fit, Score with a target, high_certainty read back) works and its
// figures are what the outcomes say.
func TestMeasureProfileSmall(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 5))
	var all []Outcome
	for i := range 240 {
		cert := 50 + 10*r.IntN(6)
		all = append(all, Outcome{Profile: "demo", Key: fmt.Sprintf("k%d", i), Answer: r.IntN(2), Certainty: cert,
			Correct: r.Float64() < 0.3+0.7*float64(cert-50)/50})
	}
	fit, held := Split(all, "salt")
	if len(fit) < 100 || len(held) < 100 {
		t.Fatalf("split %d/%d", len(fit), len(held))
	}
	res, err := MeasureProfile(t.Context(), service(t, 1), "demo", modelName(0), fit, held)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Served, "preference/"+modelName(0)+"/") || res.HeldOut != len(held) {
		t.Errorf("served %q, held out %d", res.Served, res.HeldOut)
	}
	if res.BrierSkillBase <= 0 {
		t.Errorf("Brier skill %v on an informative judge, want > 0", res.BrierSkillBase)
	}
	if hi := res.High[0.8]; hi.N == 0 || hi.Precision() < 0.8 {
		t.Errorf("target 0.8 flagged %+v, want a precise subset (certainty 100 is right every time)", hi)
	}
	if res.High[0.9].N > res.High[0.8].N {
		t.Errorf("target 0.9 flags %d, more than target 0.8's %d", res.High[0.9].N, res.High[0.8].N)
	}
}

// TestRealData reproduces the targets on the Personalized-Judge
// extract (opt-in: PJ_REALDATA=1; it needs ../shared/data beside the
// repository and takes about a minute).
func TestRealData(t *testing.T) {
	if os.Getenv("PJ_REALDATA") == "" {
		t.Skip("set PJ_REALDATA=1 to measure on ../shared/data/personalized-judge")
	}
	f, err := os.Open(filepath.Join("..", "..", "shared", "data", "personalized-judge", "judgments.csv"))
	if err != nil {
		t.Skipf("real data absent: %v", err)
	}
	all, err := ReadPersonalizedJudge(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	groups := ByProfile(all, 300)
	names := make([]string, 0, len(groups))
	for p := range groups {
		names = append(names, p)
	}
	slices.Sort(names)
	c := service(t, len(names))
	var results []Result
	var b strings.Builder
	fmt.Fprintf(&b, "%-40s %4s %4s %-11s %6s %7s %20s %12s %12s %12s\n", "profile", "fit", "held", "method", "base", "skill", "ECE10 [95%]", "hc@0.9", "hc@0.8", "cert>=80")
	for i, p := range names {
		fit, held := Split(groups[p], "personajudge-realdata-1")
		r, err := MeasureProfile(t.Context(), c, p, modelName(i), fit, held)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
		fmt.Fprintf(&b, "%-40s %4d %4d %-11s %6.3f %7.4f %6.4f [%.3f,%.3f] %4d @ %.3f %4d @ %.3f %4d @ %.3f\n", p, r.Fit, r.HeldOut,
			strings.TrimPrefix(r.Method.String(), "CALIBRATION_METHOD_"), r.BaseRate, r.BrierSkillBase, r.ECE10.Value, r.ECE10.Lower, r.ECE10.Upper,
			r.High[0.9].N, r.High[0.9].Precision(), r.High[0.8].N, r.High[0.8].Precision(), r.Rule.N, r.Rule.Precision())
	}
	s := Summarize(results)
	fmt.Fprintf(&b, "\n%d profiles, %d held-out judgments\n", s.Profiles, s.HeldOut)
	fmt.Fprintf(&b, "Brier skill vs base rate: median %.4f, worst %.4f (%s)\n", s.MedianBrierSkillBase, s.WorstBrierSkillBase, s.WorstProfile)
	fmt.Fprintf(&b, "held-out ECE10: median %.4f (medians of the bootstrap bounds [%.4f, %.4f])\n", s.MedianECE10, s.MedianECE10Lower, s.MedianECE10Upper)
	for _, tg := range Targets {
		f := s.Flagged[tg]
		fmt.Fprintf(&b, "target %.1f: flagged %d of %d (%.1f%%) at precision %.3f; worst flagged profile %.3f\n", tg, f.N, s.HeldOut,
			100*float64(f.N)/float64(s.HeldOut), f.Precision(), s.WorstFlaggedPrecision[tg])
	}
	fmt.Fprintf(&b, "fixed rule certainty >= 80: flagged %d (%.1f%%) at precision %.3f; worst profile %.3f\n", s.Rule.N,
		100*float64(s.Rule.N)/float64(s.HeldOut), s.Rule.Precision(), s.WorstRulePrecision)
	t.Logf("held-out figures (fit through ImportOutcomes/FitCalibrator, measured through Score):\n%s", b.String())
}
