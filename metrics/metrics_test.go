package metrics

import (
	"math"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/stats"
	"google.golang.org/protobuf/proto"
)

func choice(v, l int32, tags map[string]string) (*pb.ScoreResponse, *pb.Label) {
	return &pb.ScoreResponse{Status: pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT, Verdict: &pb.Verdict{Choice: proto.Int32(v)}, Tags: tags},
		&pb.Label{Choice: proto.Int32(l)}
}

func score(judge, human float64) (*pb.ScoreResponse, *pb.Label) {
	return &pb.ScoreResponse{Status: pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT, Verdict: &pb.Verdict{Score: proto.Float64(judge)}},
		&pb.Label{Score: proto.Float64(human)}
}

func figures(c *Collector) map[string]Figure {
	out := map[string]Figure{}
	for _, f := range c.Figures(stats.BootstrapOptions{Seed: 1, Samples: 500}) {
		out[f.Name] = f
	}
	return out
}

// Every figure carries n and an interval around its value; the values are
// the direct computations.
func TestFigures(t *testing.T) {
	t.Parallel()
	var c Collector
	for _, vl := range [][2]int32{{0, 0}, {0, 0}, {0, 0}, {1, 1}, {1, 1}, {1, 1}, {0, 1}, {1, 0}} {
		c.Add(choice(vl[0], vl[1], map[string]string{"tier": "easy"}))
	}
	c.Add(&pb.ScoreResponse{Status: pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT, Verdict: &pb.Verdict{Tie: true}, TieSource: pb.TieSource_TIE_SOURCE_STATED}, nil)
	c.Add(&pb.ScoreResponse{Status: pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT, Verdict: &pb.Verdict{Tie: true}, TieSource: pb.TieSource_TIE_SOURCE_ORDERS_DISAGREE}, nil)
	c.Add(&pb.ScoreResponse{Status: pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR}, nil)
	c.Add(&pb.ScoreResponse{Status: pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN}, nil)
	judge := []float64{1, 2, 3, 4, 5, 3}
	human := []float64{1, 3, 3, 5, 4, 2}
	for i := range judge {
		c.Add(score(judge[i], human[i]))
	}
	f := figures(&c)
	for _, tt := range []struct {
		name  string
		value float64
		n     int
	}{
		{"accuracy", 8.0 / 14, 14}, // rubric scores count when they round alike (judges.VerdictCorrect)
		{"kappa", 0.5, 8},
		{"stated_tie_rate", 0.1, 10},
		{"disagreement_tie_rate", 0.1, 10},
		{"judge_error_rate", 1.0 / 18, 18},
		{"abstain_rate", 1.0 / 18, 18},
		{"mae", stats.MAE(judge, human), 6},
		{"spearman", stats.Spearman(judge, human), 6},
		{"kendall", stats.KendallTauB(judge, human), 6},
	} {
		got := f[tt.name]
		if math.Abs(got.Value-tt.value) > 1e-12 || got.N != tt.n {
			t.Errorf("%s = %v (n = %d), want %v (n = %d)", tt.name, got.Value, got.N, tt.value, tt.n)
		}
		if !(got.Lower <= got.Value && got.Value <= got.Upper) || got.Level != stats.DefaultLevel {
			t.Errorf("%s: interval [%v, %v] at %v does not hold the value %v", tt.name, got.Lower, got.Upper, got.Level, got.Value)
		}
	}
	if got := f["top1_accuracy"]; got.N != 0 || !math.IsNaN(got.Value) {
		t.Errorf("top1_accuracy without K>=3 items = %+v, want NaN on n = 0", got)
	}
	easy := figures(c.WithTag("tier", "easy"))
	if a := easy["accuracy"]; a.N != 8 || a.Value != 0.75 || easy["judge_error_rate"].N != 8 {
		t.Errorf("tier=easy: accuracy %+v, judge errors n %d", a, easy["judge_error_rate"].N)
	}
	if got := c.Tags(); len(got) != 1 || got[0] != [2]string{"tier", "easy"} {
		t.Errorf("tags %v", got)
	}
}

// PersonaEval figures of a K=3 distribution and position bias from votes.
func TestRankingAndPosition(t *testing.T) {
	t.Parallel()
	var c Collector
	vote := func(shown []int32, chose int32) *pb.Vote {
		return &pb.Vote{ShownOrder: shown, ParseStatus: pb.ParseStatus_PARSE_STATUS_OK, MappedAnswer: &pb.Answer{Choice: proto.Int32(chose)}}
	}
	// The true option 2 ranks second; the first-shown option wins both votes.
	c.Add(&pb.ScoreResponse{Status: pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT, Verdict: &pb.Verdict{Choice: proto.Int32(0)},
		Distribution: []float64{0.6, 0.1, 0.3}, PositionConsistency: 0.5,
		Votes: []*pb.Vote{vote([]int32{0, 1, 2}, 0), vote([]int32{2, 0, 1}, 2)}}, &pb.Label{Choice: proto.Int32(2)})
	f := figures(&c)
	brier := 0.6*0.6 + 0.1*0.1 + 0.7*0.7
	for name, want := range map[string]float64{"top1_accuracy": 0, "top2_accuracy": 1, "mean_rank": 2, "brier": brier,
		"first_shown_win_rate": 1, "first_shown_chance": 1.0 / 3, "single_order_error_rate": 1, "consistency": 0.5} {
		if got := f[name]; math.Abs(got.Value-want) > 1e-12 || got.N != 1 {
			t.Errorf("%s = %v (n = %d), want %v (n = 1)", name, got.Value, got.N, want)
		}
	}
}

// Kendall's resamples are thinned on large n, never below 200.
func TestSamplesFor(t *testing.T) {
	t.Parallel()
	var kendall definition
	for _, d := range definitions {
		if d.name == "kendall" {
			kendall = d
		}
	}
	if got := samplesFor(kendall, 100, stats.BootstrapOptions{}).Samples; got != 0 {
		t.Errorf("n = 100: %d samples, want the default", got)
	}
	if got := samplesFor(kendall, 100000, stats.BootstrapOptions{}).Samples; got != 200 {
		t.Errorf("n = 100000: %d samples, want 200", got)
	}
}

// The cost of a summary's figures over a large run: go test -run '^$'
// -bench Figures ./metrics/
func BenchmarkFigures5000(b *testing.B) {
	var c Collector
	for i := range 5000 {
		r, l := choice(int32(i%2), int32(i%3%2), nil)
		r.PositionConsistency = 1
		c.Add(r, l)
	}
	for b.Loop() {
		c.Figures(stats.BootstrapOptions{Seed: 1})
	}
}
