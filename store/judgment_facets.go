package store

import (
	"context"
	"database/sql"
	"fmt"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

// facetStatements writes the columns the console filters by (reason code,
// tie source, calibrated probability) and the caller's tags; SaveJudgment
// commits them with the judgment itself.
func facetStatements(resp *pb.ScoreResponse) []sqlExec {
	var prob sql.NullFloat64
	if resp.CalibratedProbability != nil {
		prob = sql.NullFloat64{Float64: resp.GetCalibratedProbability(), Valid: true}
	}
	out := []sqlExec{{`INSERT INTO judgment_facets
		(judgment_id, reason_code, tie_source, calibrated_probability) VALUES (?, ?, ?, ?)
		ON CONFLICT (judgment_id) DO NOTHING`,
		[]any{resp.JudgmentId, int32(resp.ReasonCode), int32(resp.TieSource), prob}}}
	for k, v := range resp.Tags {
		out = append(out, sqlExec{`INSERT INTO judgment_tags (judgment_id, tag_key, tag_value)
			VALUES (?, ?, ?) ON CONFLICT (judgment_id, tag_key) DO NOTHING`, []any{resp.JudgmentId, k, v}})
	}
	return out
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
		for _, st := range facetStatements(resp) {
			if _, err := tx.ExecContext(ctx, st.query, st.args...); err != nil {
				return fmt.Errorf("judgment %s: %w", resp.JudgmentId, err)
			}
		}
	}
	return tx.Commit()
}
