package judges

import (
	"crypto/sha256"
	"math"

	"github.com/personajudge/personajudge/calibration"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// LabelledJudgment is a stored judgment with the label a person (or a
// dataset) gave it.
type LabelledJudgment struct {
	Judgment *Judgment
	Label    *pb.Label
}

// ImportedOutcome is a historical judgment imported without its item: the
// stated certainty (1..100), whether it was right, among how many options,
// and the optional extra features.
type ImportedOutcome struct {
	Certainty   float64
	Correct     bool
	Options     int
	Consistency *float64
	Logprob     *float64
}

// CalibrationSamples turns a profile's labelled judgments and imported
// outcomes into the samples a calibrator is fitted on: labelled verdicts
// first, in the order given, then imported outcomes. Judgments without a
// verdict, and ties produced by disagreeing orders, are left out (there is
// no answer the judge stood behind), and a
// judgment that repeats an earlier one exactly (re-made from the response
// cache) counts once: counting both would weigh the item twice and put
// copies on both sides of a cross-fitting split.
func CalibrationSamples(labelled []LabelledJudgment, imported []ImportedOutcome) []calibration.Sample {
	out := make([]calibration.Sample, 0, len(labelled)+len(imported))
	seen := map[[sha256.Size]byte]bool{}
	for _, l := range labelled {
		j := l.Judgment
		// No verdict, or a tie that only reports disagreeing orders: no
		// answer the judge stood behind, so nothing to be right about.
		if j.Status != pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT || j.TieSource == pb.TieSource_TIE_SOURCE_ORDERS_DISAGREE {
			continue
		}
		key := j.evidenceKey()
		if seen[key] {
			continue
		}
		seen[key] = true
		s := j.Sample()
		s.Correct = j.Correct(l.Label)
		out = append(out, s)
	}
	for _, r := range imported {
		s := calibration.Sample{
			Confidence:  calibration.IdentityProbability(r.Certainty, r.Options),
			Consistency: math.NaN(),
			Logprob:     math.NaN(),
			Correct:     r.Correct,
		}
		if r.Consistency != nil {
			s.Consistency = *r.Consistency
		}
		if r.Logprob != nil {
			s.Logprob = *r.Logprob
		}
		out = append(out, s)
	}
	return out
}
