package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/personajudge/personajudge/calibration"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

// ErrLabelConflict is returned (inside an *OutcomeError) when a judgment
// already has a different label and the caller did not ask to overwrite it.
var ErrLabelConflict = errors.New("a different label is already recorded")

// OutcomeError says which outcome of a batch failed, so the server can name
// the field (outcomes[Index].judgment_id). Err is ErrNotFound (no such
// judgment) or ErrLabelConflict.
type OutcomeError struct {
	Index      int
	JudgmentID string
	Err        error
	// Existing is the label already recorded, for ErrLabelConflict.
	Existing *pb.Label
}

func (e *OutcomeError) Error() string {
	return fmt.Sprintf("outcome %d (judgment %s): %v", e.Index, e.JudgmentID, e.Err)
}

func (e *OutcomeError) Unwrap() error { return e.Err }

// RecordOutcomes labels stored judgments in one transaction: either every
// label is written or none is. A label identical to the stored one is left
// as it is and counted as unchanged, so retrying a batch is harmless. The
// caller validates that each label fits its judgment; the store checks only
// existence and conflicts, inside the transaction, so two concurrent
// batches cannot both believe they wrote first.
func (s *Store) RecordOutcomes(ctx context.Context, outcomes []*pb.Outcome, overwrite bool) (recorded, unchanged int, err error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	now := time.Now().UnixMilli()
	for i, o := range outcomes {
		var exists int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM judgments WHERE id = ?`, o.JudgmentId).Scan(&exists)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, 0, &OutcomeError{Index: i, JudgmentID: o.JudgmentId, Err: ErrNotFound}
		}
		if err != nil {
			return 0, 0, err
		}
		old, found, err := labelOf(ctx, tx, o.JudgmentId)
		if err != nil {
			return 0, 0, err
		}
		if found && sameLabel(old, o.Label) {
			unchanged++
			continue
		}
		if found && !overwrite {
			return 0, 0, &OutcomeError{Index: i, JudgmentID: o.JudgmentId, Err: ErrLabelConflict, Existing: old}
		}
		choice, tie, score := labelColumns(o.Label)
		if _, err := tx.ExecContext(ctx, `INSERT INTO outcomes (judgment_id, choice, tie, score, recorded_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(judgment_id) DO UPDATE SET choice = excluded.choice, tie = excluded.tie,
				score = excluded.score, recorded_at = excluded.recorded_at`,
			o.JudgmentId, choice, tie, score, now); err != nil {
			return 0, 0, fmt.Errorf("record outcome for %s: %w", o.JudgmentId, err)
		}
		recorded++
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, err
	}
	return recorded, unchanged, nil
}

// Outcome returns the label recorded for a judgment, or ErrNotFound.
func (s *Store) Outcome(ctx context.Context, judgmentID string) (*pb.Label, error) {
	l, found, err := labelOf(ctx, s.db, judgmentID)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrNotFound
	}
	return l, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func labelOf(ctx context.Context, q querier, judgmentID string) (*pb.Label, bool, error) {
	var choice sql.NullInt64
	var tie bool
	var score sql.NullFloat64
	err := q.QueryRowContext(ctx, `SELECT choice, tie, score FROM outcomes WHERE judgment_id = ?`, judgmentID).Scan(&choice, &tie, &score)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return labelFromColumns(choice, tie, score), true, nil
}

func labelColumns(l *pb.Label) (choice sql.NullInt64, tie bool, score sql.NullFloat64) {
	if l.Choice != nil {
		choice = sql.NullInt64{Int64: int64(*l.Choice), Valid: true}
	}
	if l.Score != nil {
		score = sql.NullFloat64{Float64: *l.Score, Valid: true}
	}
	return choice, l.GetTie(), score
}

func labelFromColumns(choice sql.NullInt64, tie bool, score sql.NullFloat64) *pb.Label {
	l := &pb.Label{Tie: tie}
	if choice.Valid {
		l.Choice = proto.Int32(int32(choice.Int64))
	}
	if score.Valid {
		l.Score = proto.Float64(score.Float64)
	}
	return l
}

// sameLabel compares labels by meaning (proto.Equal would also do, but a
// nil and an empty label must compare equal here).
func sameLabel(a, b *pb.Label) bool {
	return a.GetTie() == b.GetTie() &&
		(a.Choice == nil) == (b.Choice == nil) && a.GetChoice() == b.GetChoice() &&
		(a.Score == nil) == (b.Score == nil) && a.GetScore() == b.GetScore()
}

// ImportOutcomes stores historical records in one transaction and returns
// how many were stored. options 0 is stored as 2 (pairwise), as the API
// documents. The caller validates the values.
func (s *Store) ImportOutcomes(ctx context.Context, records []*pb.RawOutcome) (int, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO raw_outcomes
		(profile, certainty, correct, options, consistency, logprob, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	now := time.Now().UnixMilli()
	for i, r := range records {
		options := r.Options
		if options == 0 {
			options = 2
		}
		var cons, lp sql.NullFloat64
		if r.PositionConsistency != nil {
			cons = sql.NullFloat64{Float64: *r.PositionConsistency, Valid: true}
		}
		if r.LogprobConfidence != nil {
			lp = sql.NullFloat64{Float64: *r.LogprobConfidence, Valid: true}
		}
		if _, err := stmt.ExecContext(ctx, r.Profile, r.Certainty, r.Correct, options, cons, lp, now); err != nil {
			return 0, fmt.Errorf("import record %d: %w", i, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return len(records), nil
}

// LabelledSample is one labelled outcome of a judge profile, as calibration
// sees it.
type LabelledSample struct {
	// Confidence is the identity-mapped certainty; Consistency and Logprob
	// are NaN when unknown (stored judgments never carry a logprob).
	calibration.Sample
	// Certainty is the stated certainty, 1..100.
	Certainty float64
	// Options is K, the number of options chosen among (chance is 1/K).
	Options int
	// JudgmentID is the labelled judgment; empty for imported records.
	JudgmentID string
}

// JudgmentSample returns the calibration features of a judgment (Correct
// unset). The server uses it to calibrate a fresh ScoreResponse and
// LabelledSamples uses it on stored ones, so a calibrator is always fed the
// same features it was fitted on. K is the length of the distribution.
func JudgmentSample(resp *pb.ScoreResponse) LabelledSample {
	k := len(resp.Distribution)
	certainty := 1 + 99*resp.VerbalCertainty
	return LabelledSample{
		Sample: calibration.Sample{
			Confidence:  calibration.IdentityProbability(certainty, k),
			Consistency: resp.PositionConsistency,
			Logprob:     math.NaN(),
		},
		Certainty:  certainty,
		Options:    max(k, 2),
		JudgmentID: resp.JudgmentId,
	}
}

// evidenceKey identifies what a judgment rests on: the request without the
// caller's item_id or cache policy, every vote's raw answer, and the verdict
// drawn from them. Two judgments with the same key are one piece of
// evidence.
func evidenceKey(rawReq []byte, resp *pb.ScoreResponse) ([sha256.Size]byte, error) {
	req := &pb.ScoreRequest{}
	if err := proto.Unmarshal(rawReq, req); err != nil {
		return [sha256.Size]byte{}, err
	}
	req.ItemId = ""
	if req.Judge != nil {
		req.Judge.Cache = pb.CachePolicy_CACHE_POLICY_UNSPECIFIED
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(req)
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	h := sha256.New()
	h.Write(b)
	for _, v := range resp.Votes {
		h.Write([]byte{0})
		h.Write([]byte(v.RawAnswer))
	}
	verdict, err := proto.MarshalOptions{Deterministic: true}.Marshal(resp.Verdict)
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	h.Write([]byte{1})
	h.Write(verdict)
	fmt.Fprintf(h, "%v", resp.VerbalCertainty)
	var key [sha256.Size]byte
	h.Sum(key[:0])
	return key, nil
}

// LabelledSamples returns every labelled sample of a profile: labelled
// stored judgments whose status is VERDICT (abstentions and judge errors
// have no answer to be right about), oldest first, then imported records in
// import order. The order is fixed so that cross-fitting is repeatable.
func (s *Store) LabelledSamples(ctx context.Context, profile string) ([]LabelledSample, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT j.request, j.response, o.choice, o.tie, o.score
		FROM outcomes o JOIN judgments j ON j.id = o.judgment_id
		WHERE j.profile = ? AND j.status = ? ORDER BY j.created_at, j.id`,
		profile, int32(pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT))
	if err != nil {
		return nil, err
	}
	var out []LabelledSample
	seen := map[[sha256.Size]byte]bool{}
	for rows.Next() {
		var rawReq, raw []byte
		var choice sql.NullInt64
		var tie bool
		var score sql.NullFloat64
		if err := rows.Scan(&rawReq, &raw, &choice, &tie, &score); err != nil {
			rows.Close()
			return nil, err
		}
		resp := &pb.ScoreResponse{}
		if err := proto.Unmarshal(raw, resp); err != nil {
			rows.Close()
			return nil, fmt.Errorf("labelled judgment of %s: stored response: %w", profile, err)
		}
		// A judgment re-made from the response cache repeats an earlier one
		// exactly; counting both would weigh the item twice and put copies
		// on both sides of a cross-fitting split.
		key, err := evidenceKey(rawReq, resp)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("labelled judgment of %s: stored request: %w", profile, err)
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		smp := JudgmentSample(resp)
		smp.Correct = VerdictCorrect(resp.Verdict, labelFromColumns(choice, tie, score))
		out = append(out, smp)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	raws, err := s.rawSamples(ctx, profile)
	if err != nil {
		return nil, err
	}
	return append(out, raws...), nil
}

func (s *Store) rawSamples(ctx context.Context, profile string) ([]LabelledSample, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT certainty, correct, options, consistency, logprob
		FROM raw_outcomes WHERE profile = ? ORDER BY id`, profile)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LabelledSample
	for rows.Next() {
		var smp LabelledSample
		var cons, lp sql.NullFloat64
		if err := rows.Scan(&smp.Certainty, &smp.Correct, &smp.Options, &cons, &lp); err != nil {
			return nil, err
		}
		smp.Confidence = calibration.IdentityProbability(smp.Certainty, smp.Options)
		smp.Consistency, smp.Logprob = math.NaN(), math.NaN()
		if cons.Valid {
			smp.Consistency = cons.Float64
		}
		if lp.Valid {
			smp.Logprob = lp.Float64
		}
		out = append(out, smp)
	}
	return out, rows.Err()
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
		return v.Score != nil && math.Round(*v.Score) == math.Round(*l.Score)
	}
	return false
}
