package realdata

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/personajudge/personajudge/calibration"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/stats"
)

// Clients are the service's RPCs the measurement goes through.
type Clients struct {
	Judge       personajudgev1connect.JudgeServiceClient
	Calibration personajudgev1connect.CalibrationServiceClient
}

// Targets are the target precisions measured on the held-out half.
var Targets = []float64{0.9, 0.8}

// Flagged counts a high-certainty subset.
type Flagged struct{ N, Correct int }

// Precision is the share correct (0 for an empty subset).
func (f Flagged) Precision() float64 {
	if f.N == 0 {
		return 0
	}
	return float64(f.Correct) / float64(f.N)
}

// Result is one profile's held-out figures.
type Result struct {
	Profile        string // the recorded profile
	Served         string // the service's judge profile it was fitted under
	Fit, HeldOut   int
	Method         pb.CalibrationMethod
	BaseRate       float64 // the fit half's accuracy
	Brier          float64
	BrierSkillBase float64 // 1 - Brier / Brier of predicting BaseRate
	ECE10          stats.Estimate
	High           map[float64]Flagged // by target
	Rule           Flagged             // certainty >= 80
}

// ItemText is what the scripted judge reads the recorded answer from: the
// persona of each held-out item carries it, so the judge answers exactly
// what was recorded.
func ItemText(o Outcome) string {
	return fmt.Sprintf("recorded answer=%c certainty=%d key=%s", 'A'+rune(o.Answer), o.Certainty, o.Key)
}

// MeasureProfile fits one profile on its fit half through ImportOutcomes
// and FitCalibrator, and measures Score on its held-out half. model is the
// judge model that answers this profile's items (one per profile, so each
// profile has its own judge profile and calibrator).
func MeasureProfile(ctx context.Context, c Clients, name, model string, fit, heldOut []Outcome) (Result, error) {
	r := Result{Profile: name, Fit: len(fit), HeldOut: len(heldOut), High: map[float64]Flagged{}}
	if len(fit) == 0 || len(heldOut) == 0 {
		return r, fmt.Errorf("%s: an empty half", name)
	}
	// The served profile name comes from the service itself.
	probe, err := score(ctx, c, model, heldOut[0], 0)
	if err != nil {
		return r, err
	}
	r.Served = probe.JudgeProfile
	records := make([]*pb.RawOutcome, len(fit))
	var right int
	for i, o := range fit {
		records[i] = &pb.RawOutcome{Profile: r.Served, Certainty: float64(o.Certainty), Correct: o.Correct, Options: 2}
		if o.Correct {
			right++
		}
	}
	r.BaseRate = float64(right) / float64(len(fit))
	if _, err := c.Calibration.ImportOutcomes(ctx, &pb.ImportOutcomesRequest{Records: records}); err != nil {
		return r, fmt.Errorf("%s: import: %w", name, err)
	}
	fitted, err := c.Calibration.FitCalibrator(ctx, &pb.FitCalibratorRequest{Profile: r.Served, TargetPrecision: Targets[0]})
	if err != nil {
		return r, fmt.Errorf("%s: fit: %w", name, err)
	}
	r.Method = fitted.Report.GetMethod()

	probs := make([]float64, len(heldOut))
	correct := make([]bool, len(heldOut))
	high := make(map[float64][]bool, len(Targets))
	for _, t := range Targets {
		high[t] = make([]bool, len(heldOut))
	}
	if err := forEach(ctx, len(heldOut), func(i int) error {
		o := heldOut[i]
		for _, t := range Targets {
			resp, err := score(ctx, c, model, o, t)
			if err != nil {
				return err
			}
			if resp.CalibratedProbability == nil || resp.Verdict.GetChoice() != int32(o.Answer) {
				return fmt.Errorf("%s %s: the judge did not answer as recorded: %v", name, o.Key, resp)
			}
			probs[i], correct[i], high[t][i] = *resp.CalibratedProbability, o.Correct, resp.HighCertainty
		}
		return nil
	}); err != nil {
		return r, err
	}
	base := make([]float64, len(heldOut))
	for i := range base {
		base[i] = r.BaseRate
	}
	r.Brier = calibration.Brier(probs, correct)
	if bb := calibration.Brier(base, correct); bb > 0 {
		r.BrierSkillBase = 1 - r.Brier/bb
	}
	r.ECE10 = stats.Bootstrap(len(probs), func(idx []int) float64 {
		p, c := make([]float64, len(idx)), make([]bool, len(idx))
		for j, i := range idx {
			p[j], c[j] = probs[i], correct[i]
		}
		return calibration.ECE(p, c, 10)
	}, stats.BootstrapOptions{Seed: 1})
	for _, t := range Targets {
		var f Flagged
		for i, h := range high[t] {
			if h {
				f.N++
				if correct[i] {
					f.Correct++
				}
			}
		}
		r.High[t] = f
	}
	for i, o := range heldOut {
		if o.Certainty >= calibration.RuleCertainty {
			r.Rule.N++
			if correct[i] {
				r.Rule.Correct++
			}
		}
	}
	return r, nil
}

func score(ctx context.Context, c Clients, model string, o Outcome, target float64) (*pb.ScoreResponse, error) {
	judge := &pb.JudgeConfig{Models: []string{model}, OrderPolicy: pb.OrderPolicy_ORDER_POLICY_SINGLE}
	if target != 0 {
		judge.TargetPrecision = &target
	}
	resp, err := c.Judge.Score(ctx, &pb.ScoreRequest{
		ItemId: o.Key,
		Task: &pb.ScoreRequest_Preference{Preference: &pb.PersonalizedPreferenceTask{
			Persona: ItemText(o), Query: "Which response does this user prefer?",
			ResponseA: "The first response.", ResponseB: "The second response.",
		}},
		Judge: judge,
	})
	if err != nil {
		return nil, fmt.Errorf("score %s: %w", o.Key, err)
	}
	return resp, nil
}

// forEach runs f over 0..n-1 on a few workers and returns the first error.
func forEach(ctx context.Context, n int, f func(i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range next {
				if err := f(i); err != nil {
					cancel(err)
				}
			}
		})
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
}

// Summary is the figures the targets are stated in.
type Summary struct {
	Profiles              int
	MedianBrierSkillBase  float64
	WorstBrierSkillBase   float64
	WorstProfile          string
	MedianECE10           float64
	MedianECE10Lower      float64
	MedianECE10Upper      float64
	HeldOut               int
	Flagged               map[float64]Flagged // all profiles together
	WorstFlaggedPrecision map[float64]float64 // over profiles that flagged any
	Rule                  Flagged
	WorstRulePrecision    float64
}

// Summarize pools the profiles' results.
func Summarize(rs []Result) Summary {
	s := Summary{Profiles: len(rs), Flagged: map[float64]Flagged{}, WorstFlaggedPrecision: map[float64]float64{}, WorstRulePrecision: 1}
	var skills, eces, los, his []float64
	s.WorstBrierSkillBase = 1
	for _, r := range rs {
		skills = append(skills, r.BrierSkillBase)
		eces, los, his = append(eces, r.ECE10.Value), append(los, r.ECE10.Lower), append(his, r.ECE10.Upper)
		if r.BrierSkillBase < s.WorstBrierSkillBase {
			s.WorstBrierSkillBase, s.WorstProfile = r.BrierSkillBase, r.Profile
		}
		s.HeldOut += r.HeldOut
		for t, f := range r.High {
			a := s.Flagged[t]
			s.Flagged[t] = Flagged{a.N + f.N, a.Correct + f.Correct}
			if w, ok := s.WorstFlaggedPrecision[t]; f.N > 0 && (!ok || f.Precision() < w) {
				s.WorstFlaggedPrecision[t] = f.Precision()
			}
		}
		s.Rule = Flagged{s.Rule.N + r.Rule.N, s.Rule.Correct + r.Rule.Correct}
		if r.Rule.N > 0 {
			s.WorstRulePrecision = min(s.WorstRulePrecision, r.Rule.Precision())
		}
	}
	s.MedianBrierSkillBase, s.MedianECE10 = median(skills), median(eces)
	s.MedianECE10Lower, s.MedianECE10Upper = median(los), median(his)
	return s
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
