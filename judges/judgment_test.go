package judges

import (
	"context"
	"math"
	"testing"

	"github.com/personajudge/personajudge/calibration"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

func choiceLabel(c int32) *pb.Label { return &pb.Label{Choice: proto.Int32(c)} }

func TestVerdictCorrect(t *testing.T) {
	t.Parallel()
	choice := func(c int32) *pb.Verdict { return &pb.Verdict{Choice: proto.Int32(c)} }
	score := func(s float64) *pb.Verdict { return &pb.Verdict{Score: proto.Float64(s)} }
	tests := []struct {
		name string
		v    *pb.Verdict
		l    *pb.Label
		want bool
	}{
		{"same choice", choice(1), choiceLabel(1), true},
		{"other choice", choice(0), choiceLabel(1), false},
		{"choice 0 matches choice 0", choice(0), choiceLabel(0), true},
		{"tie verdict, choice label", &pb.Verdict{Tie: true}, choiceLabel(0), false},
		{"both tie", &pb.Verdict{Tie: true}, &pb.Label{Tie: true}, true},
		{"choice verdict, tie label", choice(0), &pb.Label{Tie: true}, false},
		{"score rounds to label", score(3.4), &pb.Label{Score: proto.Float64(3)}, true},
		{"half a level is within tolerance", score(3.5), &pb.Label{Score: proto.Float64(3)}, true},
		{"beyond half a level", score(3.6), &pb.Label{Score: proto.Float64(3)}, false},
		{"beyond half a level below", score(2.25), &pb.Label{Score: proto.Float64(3)}, false},
		{"score vs averaged label", score(4), &pb.Label{Score: proto.Float64(3.5)}, true},
		{"no verdict", nil, choiceLabel(0), false},
		{"empty label", choice(0), &pb.Label{}, false},
		{"score label, choice verdict", choice(3), &pb.Label{Score: proto.Float64(3)}, false},
	}
	for _, tt := range tests {
		if got := VerdictCorrect(tt.v, tt.l); got != tt.want {
			t.Errorf("%s: VerdictCorrect = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// verdictJudgment is a pairwise judgment choosing option choice at the
// given normalized certainty.
func verdictJudgment(item string, choice int32, certainty float64, status pb.JudgmentStatus) *Judgment {
	return &Judgment{
		Profile: "p", ItemDigest: item,
		Outcome: Outcome{Status: status, Verdict: &pb.Verdict{Choice: proto.Int32(choice)},
			Distribution: []float64{1 - float64(choice), float64(choice)}, Consistency: 0.5},
		Votes:     []*pb.Vote{{Model: "m", RawAnswer: `{"choice":"B"}`}},
		Certainty: certainty,
	}
}

func TestJudgmentCorrectNeedsAVerdict(t *testing.T) {
	t.Parallel()
	j := verdictJudgment("x", 1, 0.8, pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT)
	if !j.Correct(choiceLabel(1)) || j.Correct(choiceLabel(0)) {
		t.Fatal("a verdict of 1 must be right against 1 and wrong against 0")
	}
	j.Status = pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN
	if j.Correct(choiceLabel(1)) {
		t.Fatal("an abstention is never right")
	}
}

func TestCalibrationSamples(t *testing.T) {
	t.Parallel()
	verdict := pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT
	labelled := []LabelledJudgment{
		{verdictJudgment("right", 1, 0.8, verdict), choiceLabel(1)},
		{verdictJudgment("wrong", 0, 0.2, verdict), choiceLabel(1)},
		{verdictJudgment("abstained", 0, 0.2, pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN), choiceLabel(1)},
	}
	one, lp := 1.0, 0.3
	imported := []ImportedOutcome{
		{Certainty: 100, Correct: true, Options: 2},
		{Certainty: 1, Correct: false, Options: 4, Consistency: &one, Logprob: &lp},
	}
	got := CalibrationSamples(labelled, imported)
	nan := math.NaN()
	want := []struct {
		conf, cons, lp float64
		correct        bool
	}{
		{0.9, 0.5, nan, true}, // 1/2 + 1/2*0.8
		{0.6, 0.5, nan, false},
		{1, nan, nan, true},
		{0.25, 1, 0.3, false}, // certainty 1 on four options is chance
	}
	if len(got) != len(want) {
		t.Fatalf("got %d samples, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if !nearNaN(g.Confidence, w.conf) || !nearNaN(g.Consistency, w.cons) || !nearNaN(g.Logprob, w.lp) || g.Correct != w.correct {
			t.Errorf("sample %d = %+v, want %+v", i, g, w)
		}
	}
}

// A judgment re-made from the response cache (same item, same answers) is
// one piece of evidence, not two.
func TestCalibrationSamplesCountCachedCopiesOnce(t *testing.T) {
	t.Parallel()
	verdict := pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT
	got := CalibrationSamples([]LabelledJudgment{
		{verdictJudgment("item", 1, 0.8, verdict), choiceLabel(1)},
		{verdictJudgment("item", 1, 0.8, verdict), choiceLabel(1)},  // the cached copy
		{verdictJudgment("other", 1, 0.8, verdict), choiceLabel(0)}, // another item
	}, nil)
	if len(got) != 2 || !got[0].Correct || got[1].Correct {
		t.Fatalf("samples %+v, want the first copy and the other item", got)
	}
}

func nearNaN(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) < 1e-9
}

// A tie the orders produced is no answer the judge stood behind: it is not
// calibration evidence, whatever its label.
func TestCalibrationSamplesLeaveOutDisagreementTies(t *testing.T) {
	t.Parallel()
	verdict := pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT
	produced := verdictJudgment("produced", 0, 0.9, verdict)
	produced.Verdict, produced.TieSource = &pb.Verdict{Tie: true}, pb.TieSource_TIE_SOURCE_ORDERS_DISAGREE
	stated := verdictJudgment("stated", 0, 0.9, verdict)
	stated.Verdict, stated.TieSource = &pb.Verdict{Tie: true}, pb.TieSource_TIE_SOURCE_STATED
	got := CalibrationSamples([]LabelledJudgment{
		{produced, &pb.Label{Tie: true}},
		{stated, &pb.Label{Tie: true}},
	}, nil)
	if len(got) != 1 || !got[0].Correct {
		t.Fatalf("samples %+v, want only the stated tie", got)
	}
}

// oneCalibrator is a CalibratorSource with one active calibrator for every
// profile.
type oneCalibrator struct{ model []byte }

func (o oneCalibrator) ActiveCalibratorModel(context.Context, string) (string, []byte, *float64, error) {
	return "v1", o.model, nil, nil
}

// A tie the orders produced gets no calibrated probability; a stated one
// does.
func TestCalibrateSkipsDisagreementTies(t *testing.T) {
	t.Parallel()
	var samples []calibration.Sample
	for i := range 100 {
		samples = append(samples, calibration.Sample{Confidence: float64(i%10) / 10, Correct: i%3 != 0})
	}
	m, err := calibration.Fit(calibration.MethodIsotonic, samples, calibration.Options{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := calibration.EncodeModel(m)
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine(nil, WithCalibrators(oneCalibrator{raw}))
	for _, tt := range []struct {
		source pb.TieSource
		want   bool
	}{{pb.TieSource_TIE_SOURCE_ORDERS_DISAGREE, false}, {pb.TieSource_TIE_SOURCE_STATED, true}} {
		j := verdictJudgment("x", 0, 0.9, pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT)
		j.Verdict, j.TieSource = &pb.Verdict{Tie: true}, tt.source
		if err := e.calibrate(t.Context(), j, Config{}); err != nil {
			t.Fatal(err)
		}
		if (j.Calibrated != nil) != tt.want {
			t.Errorf("%v tie: calibrated %v, want calibrated %v", tt.source, j.Calibrated, tt.want)
		}
	}
}
