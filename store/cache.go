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
	if s.gc != nil {
		if raw, ok := s.gc.cached(key); ok {
			return decodeCached(raw)
		}
	}
	var raw []byte
	err := s.db.QueryRowContext(ctx, `SELECT value FROM llm_cache WHERE key = ?`, key).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return clients.CachedResponse{}, false, nil
	}
	if err != nil {
		return clients.CachedResponse{}, false, err
	}
	return decodeCached(raw)
}

func decodeCached(raw []byte) (clients.CachedResponse, bool, error) {
	var r clients.CachedResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return clients.CachedResponse{}, false, err
	}
	return r, true, nil
}

const putResponseSQL = `INSERT INTO llm_cache (key, value, created_at) VALUES (?, ?, ?)
	ON CONFLICT (key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at`

// PutResponse implements clients.Cache; a later answer for the same key
// (a REFRESH) replaces the earlier one. On SQLite it returns once the row
// is queued for the next group commit, at cache durability (see
// groupcommit.go); on PostgreSQL once the row is committed, so that other
// replicas find it.
func (s *Store) PutResponse(ctx context.Context, key string, r clients.CachedResponse) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	now := time.Now().UnixMilli()
	if s.gc != nil {
		return s.gc.putCache(key, raw, putResponseSQL, key, raw, now)
	}
	_, err = s.w.ExecContext(ctx, putResponseSQL, key, raw, now)
	return err
}

var _ clients.Cache = (*Store)(nil)
