package store

import (
	"context"
	"database/sql"
	"fmt"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

// execer is a transaction or a database handle.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// saveFacets writes the columns the console filters by (reason code, tie
// source, calibrated probability) and the caller's tags, in the same
// transaction as the judgment itself, so a listed judgment is never
// missing its filters.
func saveFacets(ctx context.Context, tx execer, resp *pb.ScoreResponse) error {
	var prob sql.NullFloat64
	if resp.CalibratedProbability != nil {
		prob = sql.NullFloat64{Float64: resp.GetCalibratedProbability(), Valid: true}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO judgment_facets
		(judgment_id, reason_code, tie_source, calibrated_probability) VALUES (?, ?, ?, ?)
		ON CONFLICT (judgment_id) DO NOTHING`,
		resp.JudgmentId, int32(resp.ReasonCode), int32(resp.TieSource), prob); err != nil {
		return fmt.Errorf("facets: %w", err)
	}
	for k, v := range resp.Tags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO judgment_tags (judgment_id, tag_key, tag_value)
			VALUES (?, ?, ?) ON CONFLICT (judgment_id, tag_key) DO NOTHING`, resp.JudgmentId, k, v); err != nil {
			return fmt.Errorf("tag %s: %w", k, err)
		}
	}
	return nil
}

// backfillFacets indexes judgments recorded before the facets existed
// (a ledger migrated from an older version), reading each one's stored
// response. It runs at open and finds nothing to do once done.
func (s *Store) backfillFacets(ctx context.Context) error {
	rows, err := s.w.QueryContext(ctx, `SELECT j.response FROM judgments j
		WHERE NOT EXISTS (SELECT 1 FROM judgment_facets f WHERE f.judgment_id = j.id)`)
	if err != nil {
		return err
	}
	var pending []*pb.ScoreResponse
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			rows.Close()
			return err
		}
		resp := &pb.ScoreResponse{}
		if err := proto.Unmarshal(raw, resp); err != nil {
			rows.Close()
			return fmt.Errorf("stored response: %w", err)
		}
		pending = append(pending, resp)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(pending) == 0 {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, resp := range pending {
		if err := saveFacets(ctx, tx, resp); err != nil {
			return fmt.Errorf("judgment %s: %w", resp.JudgmentId, err)
		}
	}
	return tx.Commit()
}
