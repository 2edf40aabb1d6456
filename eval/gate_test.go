package eval

import (
	"math"
	"strings"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

func TestParseGates(t *testing.T) {
	t.Parallel()
	got, err := ParseGates("judge_error_rate>0.02, accuracy<0.8,kappa<=0.6,abstain_rate>=0.3,accuracy.lower<0.7")
	if err != nil {
		t.Fatal(err)
	}
	want := []Gate{{"judge_error_rate", "", ">", 0.02}, {"accuracy", "", "<", 0.8}, {"kappa", "", "<=", 0.6}, {"abstain_rate", "", ">=", 0.3}, {"accuracy", "lower", "<", 0.7}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("gate %d = %v, want %v", i, got[i], want[i])
		}
	}
	for _, tt := range []struct{ spec, wantErr string }{
		{"acuracy<0.8", `unknown metric "acuracy"`},
		{"accuracy<high", `threshold "high" is not a number`},
		{"accuracy<NaN", `is not a number`},
		{"accuracy.middle<0.8", `unknown bound "middle"`},
		{"acuracy.lower<0.8", `unknown metric "acuracy"`},
		{"accuracy=0.8", `want METRIC<VALUE`},
		{"<0.8", `want METRIC<VALUE`},
		{" , ", "no rule"},
	} {
		if _, err := ParseGates(tt.spec); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseGates(%q) = %v, want an error containing %q", tt.spec, err, tt.wantErr)
		}
	}
}

func choiceResult(verdict, label int32) (*pb.ScoreResponse, *pb.Label) {
	return &pb.ScoreResponse{Status: pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT, Verdict: &pb.Verdict{Choice: proto.Int32(verdict)}},
		&pb.Label{Choice: proto.Int32(label)}
}

func TestBreaches(t *testing.T) {
	t.Parallel()
	s := newSummary(&Config{Results: "r.jsonl"})
	// 8 labelled verdicts, 6 right; 1 judge error; 1 abstention.
	for i, vl := range [][2]int32{{0, 0}, {0, 0}, {0, 0}, {1, 1}, {1, 1}, {1, 1}, {0, 1}, {1, 0}} {
		r, l := choiceResult(vl[0], vl[1])
		r.ItemId = string(rune('a' + i))
		s.add(r, l, true)
	}
	s.add(&pb.ScoreResponse{Status: pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR, Reason: "timed out; order [1 0]: timed out"}, nil, true)
	s.add(&pb.ScoreResponse{Status: pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN}, nil, true)

	gates, err := ParseGates("accuracy<0.8,judge_error_rate>0.2,abstain_rate>=0.1,kappa<0.6,high_certainty_accuracy<0.9")
	if err != nil {
		t.Fatal(err)
	}
	got := s.Breaches(gates)
	want := []string{
		"accuracy<0.8: accuracy is 0.7500 (n = 8)",
		"abstain_rate>=0.1: abstain_rate is 0.1000 (n = 10)",
		"kappa<0.6: kappa is 0.5000 (n = 8)", // po .75, pe .5
		"high_certainty_accuracy<0.9: high_certainty_accuracy cannot be measured on this run (n = 0)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("breaches:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A bound of the interval: 6 of 8 right holds 0.75, but its 95%
	// interval reaches well below 0.7, so the lower bound breaches and the
	// upper one does not.
	bounds, err := ParseGates("accuracy.lower<0.7,accuracy.upper<0.7")
	if err != nil {
		t.Fatal(err)
	}
	acc := s.figure("accuracy")
	if got := s.Breaches(bounds); len(got) != 1 || !strings.HasPrefix(got[0], "accuracy.lower<0.7: accuracy.lower is ") ||
		!strings.Contains(got[0], "n = 8") || !(acc.Lower < 0.7 && acc.Upper > 0.7) {
		t.Fatalf("bound breaches %q (accuracy %+v)", got, acc)
	}
	if top := s.topReasons(3); len(top) != 1 || top[0].reason != "timed out" || top[0].n != 1 {
		t.Fatalf("top reasons %v", top)
	}
}

// Kappa against a direct computation on a 3-category table with ties.
func TestKappa(t *testing.T) {
	t.Parallel()
	s := newSummary(&Config{Results: "r.jsonl"})
	add := func(v, l int32, tieV, tieL bool, n int) {
		for range n {
			r := &pb.ScoreResponse{Status: pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT, Verdict: &pb.Verdict{Tie: tieV}}
			if !tieV {
				r.Verdict.Choice = proto.Int32(v)
			}
			lab := &pb.Label{Tie: tieL}
			if !tieL {
				lab.Choice = proto.Int32(l)
			}
			s.add(r, lab, true)
		}
	}
	add(0, 0, false, false, 20)
	add(1, 1, false, false, 15)
	add(0, 1, false, false, 5)
	add(0, 0, true, true, 4)  // tie, tie
	add(0, 0, true, false, 6) // tie verdict, label 0
	// n = 50, agree = 39; verdict margins: 0:25, 1:15, tie:10; label
	// margins: 0:26, 1:20, tie:4. pe = (25*26 + 15*20 + 10*4)/2500 = .396.
	want := (39.0/50 - 0.396) / (1 - 0.396)
	k := s.figure("kappa")
	got, n := k.Value, k.N
	if n != 50 || math.Abs(got-want) > 1e-12 {
		t.Fatalf("kappa = %v on %d, want %v on 50", got, n, want)
	}
}
