package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// SaveCascadePolicy stores a fitted cascade policy (opaque bytes: judges
// owns what it means) under the cascade's name and makes it the one in
// force, replacing an earlier fit.
func (s *Store) SaveCascadePolicy(ctx context.Context, cascade string, policy []byte) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO cascade_policies (cascade, policy, created_at) VALUES (?, ?, ?)
		ON CONFLICT (cascade) DO UPDATE SET policy = excluded.policy, created_at = excluded.created_at`,
		cascade, string(policy), time.Now().UnixMilli())
	return err
}

// CascadePolicy returns the policy in force for a cascade, or ErrNotFound.
func (s *Store) CascadePolicy(ctx context.Context, cascade string) ([]byte, error) {
	var p string
	err := s.db.QueryRowContext(ctx, `SELECT policy FROM cascade_policies WHERE cascade = ?`, cascade).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return []byte(p), nil
}
