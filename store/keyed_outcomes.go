package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// KeyCollisionError says an imported record's item key already holds a
// different record of the same profile and model (stored before, or
// earlier in the batch). Index is the record's place in the batch.
type KeyCollisionError struct {
	Index int
	Key   string
}

func (e *KeyCollisionError) Error() string {
	return fmt.Sprintf("import record %d: item key %q already holds a different record of this profile and model", e.Index, e.Key)
}

// insertKeyedOutcomes writes the keyed records of an import inside its
// transaction. A record equal to the one stored under its key is skipped,
// so an import can be repeated; a different one is a KeyCollisionError and
// the caller rolls everything back.
func insertKeyedOutcomes(ctx context.Context, t *tx, records []*pb.RawOutcome, now int64) error {
	for i, r := range records {
		if r.ItemKey == "" {
			continue
		}
		var cert float64
		var correct bool
		var opts int32
		var cons sql.NullFloat64
		var choice sql.NullInt32
		err := t.QueryRowContext(ctx, `SELECT certainty, correct, options, consistency, choice
			FROM keyed_outcomes WHERE item_key = ? AND profile = ? AND model = ?`, r.ItemKey, r.Profile, r.Model).
			Scan(&cert, &correct, &opts, &cons, &choice)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("import record %d: %w", i, err)
		case sameKeyed(r, cert, correct, opts, cons, choice):
			continue
		default:
			return &KeyCollisionError{Index: i, Key: r.ItemKey}
		}
		var newCons sql.NullFloat64
		if r.PositionConsistency != nil {
			newCons = sql.NullFloat64{Float64: *r.PositionConsistency, Valid: true}
		}
		var newChoice sql.NullInt32
		if r.Choice != nil {
			newChoice = sql.NullInt32{Int32: *r.Choice, Valid: true}
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO keyed_outcomes
			(item_key, profile, model, certainty, correct, options, consistency, choice, imported_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ItemKey, r.Profile, r.Model, r.Certainty, r.Correct, r.Options, newCons, newChoice, now); err != nil {
			return fmt.Errorf("import record %d: %w", i, err)
		}
	}
	return nil
}

func sameKeyed(r *pb.RawOutcome, cert float64, correct bool, opts int32, cons sql.NullFloat64, choice sql.NullInt32) bool {
	if r.Certainty != cert || r.Correct != correct || r.Options != opts {
		return false
	}
	if (r.PositionConsistency != nil) != cons.Valid || (cons.Valid && *r.PositionConsistency != cons.Float64) {
		return false
	}
	return (r.Choice != nil) == choice.Valid && (!choice.Valid || *r.Choice == choice.Int32)
}

// KeyedOutcome is an imported record with its item key.
type KeyedOutcome struct {
	Key         string
	Profile     string
	Certainty   float64
	Correct     bool
	Options     int32
	Consistency *float64
	Choice      *int32
}

// KeyedOutcomes returns a model's keyed records, ordered by item key and
// profile (a fixed order, so that a fit is repeatable).
func (s *Store) KeyedOutcomes(ctx context.Context, model string) ([]KeyedOutcome, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT item_key, profile, certainty, correct, options, consistency, choice
		FROM keyed_outcomes WHERE model = ? ORDER BY item_key, profile`, model)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []KeyedOutcome
	for rows.Next() {
		var r KeyedOutcome
		var cons sql.NullFloat64
		var choice sql.NullInt32
		if err := rows.Scan(&r.Key, &r.Profile, &r.Certainty, &r.Correct, &r.Options, &cons, &choice); err != nil {
			return nil, err
		}
		if cons.Valid {
			r.Consistency = &cons.Float64
		}
		if choice.Valid {
			r.Choice = &choice.Int32
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
