package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

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
// how many were stored. The caller validates the values and fills in
// defaults (options 0 means 2).
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
		// SQLite refuses a NaN (it binds as NULL) and PostgreSQL would
		// store it: refuse it on both, before anything is written.
		if math.IsNaN(r.Certainty) || math.IsInf(r.Certainty, 0) {
			return 0, fmt.Errorf("import record %d: certainty %v is not a finite number", i, r.Certainty)
		}
		var cons, lp sql.NullFloat64
		if r.PositionConsistency != nil {
			cons = sql.NullFloat64{Float64: *r.PositionConsistency, Valid: true}
		}
		if r.LogprobConfidence != nil {
			lp = sql.NullFloat64{Float64: *r.LogprobConfidence, Valid: true}
		}
		if _, err := stmt.ExecContext(ctx, r.Profile, r.Certainty, r.Correct, r.Options, cons, lp, now); err != nil {
			return 0, fmt.Errorf("import record %d: %w", i, err)
		}
	}
	if err := insertKeyedOutcomes(ctx, tx, records, now); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return len(records), nil
}

// LabelledJudgment is a stored judgment with its label.
type LabelledJudgment struct {
	Request  *pb.ScoreRequest
	Response *pb.ScoreResponse
	Label    *pb.Label
}

// LabelledJudgments returns a profile's labelled judgments, oldest first
// (a fixed order, so that cross-fitting is repeatable). Which of them count
// as calibration evidence is for the judges package to say.
func (s *Store) LabelledJudgments(ctx context.Context, profile string) ([]LabelledJudgment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT j.request, j.response, o.choice, o.tie, o.score
		FROM outcomes o JOIN judgments j ON j.id = o.judgment_id
		WHERE j.profile = ? ORDER BY j.created_at, j.id`, profile)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LabelledJudgment
	for rows.Next() {
		var rawReq, raw []byte
		var choice sql.NullInt64
		var tie bool
		var score sql.NullFloat64
		if err := rows.Scan(&rawReq, &raw, &choice, &tie, &score); err != nil {
			return nil, err
		}
		lj := LabelledJudgment{Request: &pb.ScoreRequest{}, Response: &pb.ScoreResponse{}, Label: labelFromColumns(choice, tie, score)}
		if err := proto.Unmarshal(rawReq, lj.Request); err != nil {
			return nil, fmt.Errorf("labelled judgment of %s: stored request: %w", profile, err)
		}
		if err := proto.Unmarshal(raw, lj.Response); err != nil {
			return nil, fmt.Errorf("labelled judgment of %s: stored response: %w", profile, err)
		}
		out = append(out, lj)
	}
	return out, rows.Err()
}

// ImportedOutcome is one imported historical record, as stored.
type ImportedOutcome struct {
	Certainty   float64
	Correct     bool
	Options     int
	Consistency *float64
	Logprob     *float64
}

// ImportedOutcomes returns a profile's imported records in import order.
func (s *Store) ImportedOutcomes(ctx context.Context, profile string) ([]ImportedOutcome, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT certainty, correct, options, consistency, logprob
		FROM raw_outcomes WHERE profile = ? ORDER BY id`, profile)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ImportedOutcome
	for rows.Next() {
		var r ImportedOutcome
		var cons, lp sql.NullFloat64
		if err := rows.Scan(&r.Certainty, &r.Correct, &r.Options, &cons, &lp); err != nil {
			return nil, err
		}
		if cons.Valid {
			r.Consistency = &cons.Float64
		}
		if lp.Valid {
			r.Logprob = &lp.Float64
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
