package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/personajudge/personajudge/clients"
)

// GetResponse implements clients.Cache.
func (s *Store) GetResponse(ctx context.Context, key string) (clients.CachedResponse, bool, error) {
	var raw []byte
	err := s.db.QueryRowContext(ctx, `SELECT value FROM llm_cache WHERE key = ?`, key).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return clients.CachedResponse{}, false, nil
	}
	if err != nil {
		return clients.CachedResponse{}, false, err
	}
	var r clients.CachedResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return clients.CachedResponse{}, false, err
	}
	return r, true, nil
}

// PutResponse implements clients.Cache; a later answer for the same key
// (a REFRESH) replaces the earlier one.
func (s *Store) PutResponse(ctx context.Context, key string, r clients.CachedResponse) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO llm_cache (key, value, created_at) VALUES (?, ?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at`,
		key, raw, time.Now().UnixMilli())
	return err
}

var _ clients.Cache = (*Store)(nil)
