package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"
)

// BenchmarkRun is a finished PersonaGym run as recorded: a header and its
// judged items.
type BenchmarkRun struct {
	ID        string
	Name      string
	Agent     string
	CreatedAt time.Time
}

// BenchmarkItem is one judged answer of a run. Task and Status are the
// wire enums' numbers; the store keeps them opaque.
type BenchmarkItem struct {
	Persona    int
	Task       int32
	QuestionID string
	Status     int32
	Score      *float64 // nil for an abstention or a judge error
	Reason     string
}

// SaveBenchmarkRun records a run and its items in one transaction: either
// all of it is stored or none.
func (s *Store) SaveBenchmarkRun(ctx context.Context, r BenchmarkRun, items []BenchmarkItem) error {
	for i, it := range items {
		// SQLite binds NaN as NULL and PostgreSQL would store it: refuse it
		// on both, before anything is written.
		if it.Score != nil && (math.IsNaN(*it.Score) || math.IsInf(*it.Score, 0)) {
			return fmt.Errorf("benchmark item %d: score is not finite", i)
		}
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO benchmark_runs (id, name, agent, created_at) VALUES (?, ?, ?, ?)`,
		r.ID, r.Name, r.Agent, r.CreatedAt.UnixMilli()); err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO benchmark_items
		(run_id, persona, task, question_id, status, score, reason) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, it := range items {
		var score sql.NullFloat64
		if it.Score != nil {
			score = sql.NullFloat64{Float64: *it.Score, Valid: true}
		}
		if _, err := stmt.ExecContext(ctx, r.ID, it.Persona, it.Task, it.QuestionID, it.Status, score, it.Reason); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// GetBenchmarkRun returns a run's header, or ErrNotFound.
func (s *Store) GetBenchmarkRun(ctx context.Context, id string) (BenchmarkRun, error) {
	r := BenchmarkRun{ID: id}
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT name, agent, created_at FROM benchmark_runs WHERE id = ?`, id).
		Scan(&r.Name, &r.Agent, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return BenchmarkRun{}, ErrNotFound
	}
	r.CreatedAt = time.UnixMilli(created)
	return r, err
}

// BenchmarkItems returns a run's items ordered by persona, task and
// question (none for an unknown run).
func (s *Store) BenchmarkItems(ctx context.Context, runID string) ([]BenchmarkItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT persona, task, question_id, status, score, reason
		FROM benchmark_items WHERE run_id = ? ORDER BY persona, task, question_id`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []BenchmarkItem
	for rows.Next() {
		var it BenchmarkItem
		var score sql.NullFloat64
		if err := rows.Scan(&it.Persona, &it.Task, &it.QuestionID, &it.Status, &score, &it.Reason); err != nil {
			return nil, err
		}
		if score.Valid {
			v := score.Float64
			it.Score = &v
		}
		out = append(out, it)
	}
	return out, rows.Err()
}
