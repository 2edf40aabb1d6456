package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// EvalRun is a finished eval run's summary as recorded.
type EvalRun struct {
	ID        string
	Name      string
	Summary   string // JSON, as eval's --summary-json writes it
	CreatedAt time.Time
}

// SaveEvalRun records a run.
func (s *Store) SaveEvalRun(ctx context.Context, r EvalRun) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO eval_runs (id, name, summary, created_at) VALUES (?, ?, ?, ?)`,
		r.ID, r.Name, r.Summary, r.CreatedAt.UnixMilli())
	return err
}

// ListEvalRuns returns runs newest first, without their summaries,
// starting after start (nil: from the newest).
func (s *Store) ListEvalRuns(ctx context.Context, limit int, start *Cursor) ([]EvalRun, error) {
	q := `SELECT id, name, created_at FROM eval_runs`
	args := []any{}
	if start != nil {
		q += ` WHERE created_at < ? OR (created_at = ? AND id < ?)`
		args = append(args, start.CreatedAt, start.CreatedAt, start.ID)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY created_at DESC, id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EvalRun
	for rows.Next() {
		var r EvalRun
		var created int64
		if err := rows.Scan(&r.ID, &r.Name, &created); err != nil {
			return nil, err
		}
		r.CreatedAt = time.UnixMilli(created)
		out = append(out, r)
	}
	return out, rows.Err()
}

// GetEvalRun returns one run with its summary, or ErrNotFound.
func (s *Store) GetEvalRun(ctx context.Context, id string) (EvalRun, error) {
	r := EvalRun{ID: id}
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT name, summary, created_at FROM eval_runs WHERE id = ?`, id).
		Scan(&r.Name, &r.Summary, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return EvalRun{}, ErrNotFound
	}
	r.CreatedAt = time.UnixMilli(created)
	return r, err
}
