package judges

import (
	"crypto/sha256"
	"fmt"
	"math"

	"github.com/personajudge/personajudge/calibration"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

// Judgment is one item judged position-fair, with what it means: the
// outcome of the orders, the votes it rests on, the judge's normalized
// certainty, and (once a calibrator of its profile is applied) the
// calibrated probability of being right. Every consumer reads meaning from
// here (what counts as right, which calibration sample it contributes)
// instead of re-deriving it from the wire message.
type Judgment struct {
	// Kind is the judge kind ("preference", ...), the first part of Profile.
	Kind string
	// Profile names the judge profile calibrators are fitted per.
	Profile string
	// ItemDigest is the item's identity (Task.Digest).
	ItemDigest string
	Outcome
	Votes        []*pb.Vote
	FailedModels []string
	Usage        *pb.Usage
	// Certainty is the mean normalized verbal certainty (0..1) of the votes
	// that counted; 0 when none did.
	Certainty float64
	// Calibrated is set when a calibrator of the profile was applied.
	Calibrated *Calibrated
	// HighCertainty is the evidence behind Calibrated.HighCertainty, set on
	// every verdict (see high_certainty.go).
	HighCertainty *HighCertainty
}

// Calibrated is what the profile's active calibrator says of a verdict.
type Calibrated struct {
	Probability float64
	Version     string
	// HighCertainty: Probability reaches the calibrator's high-certainty
	// threshold (false when the fit found none that met its target).
	HighCertainty bool
	// Lower and Upper bracket Probability for calibrators that give an
	// interval (Venn-Abers); both nil otherwise.
	Lower, Upper *float64
}

// Options is K, the number of options the verdict chose among (2 for a
// pairwise choice and for rubric scores, which carry no distribution).
func (j *Judgment) Options() int { return max(len(j.Distribution), 2) }

// Sample is the calibration features of the judgment (Correct unset): a
// calibrator is fitted on and applied to exactly these. Logprob is the mean
// answer-token probability of the votes that counted, NaN ("unknown") when
// the backend returned no token logprobs.
func (j *Judgment) Sample() calibration.Sample {
	return calibration.Sample{
		Confidence:  calibration.IdentityFromNormalized(j.Certainty, j.Options()),
		Consistency: j.Consistency,
		Logprob:     j.meanAnswerProbability(),
	}
}

// Correct reports whether the judgment's verdict matches the label (see
// VerdictCorrect); a judgment without a verdict is never right.
func (j *Judgment) Correct(l *pb.Label) bool {
	return j.Status == pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT && VerdictCorrect(j.Verdict, l)
}

// VerdictCorrect reports whether a verdict matches the label: the same
// choice, both a tie, or, for rubric scores, the same score after rounding
// both to the nearest level (a reference of 3.5 from averaged annotators
// counts as 4, as the verdict would). A missing verdict is never correct.
func VerdictCorrect(v *pb.Verdict, l *pb.Label) bool {
	if v == nil || l == nil {
		return false
	}
	switch {
	case l.Tie:
		return v.Tie
	case l.Choice != nil:
		return !v.Tie && v.Choice != nil && *v.Choice == *l.Choice
	case l.Score != nil:
		return v.Score != nil && ScoreCorrect(*v.Score, *l.Score)
	}
	return false
}

// ScoreTolerance is how far a judge's rubric score (1-5, a mean over orders
// and models, so it may be fractional) may lie from the human score and
// still count as right: half a level, so a judge score counts as right
// when the nearest level, rounding halves toward the human, is the human's.
// Reports beside it give MAE, Spearman and Kendall, which need no
// tolerance.
const ScoreTolerance = 0.5

// ScoreCorrect is the one definition of a right rubric score, shared by
// calibration evidence, evaluation summaries and PersonaGym reports.
func ScoreCorrect(judge, human float64) bool {
	return math.Abs(judge-human) <= ScoreTolerance+1e-9
}

// evidenceKey identifies what a judgment rests on: the item, every vote's
// raw answer, and the verdict and certainty drawn from them. A judgment
// re-made from the response cache has the same key as the one it repeats.
func (j *Judgment) evidenceKey() [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(j.ItemDigest))
	for _, v := range j.Votes {
		h.Write([]byte{0})
		h.Write([]byte(v.RawAnswer))
	}
	verdict, _ := proto.MarshalOptions{Deterministic: true}.Marshal(j.Verdict)
	h.Write([]byte{1})
	h.Write(verdict)
	fmt.Fprintf(h, "%v", j.Certainty)
	var key [sha256.Size]byte
	h.Sum(key[:0])
	return key
}
