package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

// SaveJudgment records a judgment with the request that produced it and
// returns once the commit that holds it is durable, before the response is
// sent. An id already stored is refused, never overwritten: a judgment is
// in the ledger once, under its own id (see README, Several replicas, for
// what a retried item makes).
func (s *Store) SaveJudgment(ctx context.Context, kind string, req *pb.ScoreRequest, resp *pb.ScoreResponse) error {
	reqBytes, err := proto.Marshal(req)
	if err != nil {
		return err
	}
	respBytes, err := proto.Marshal(resp)
	if err != nil {
		return err
	}
	stmts := []sqlExec{{`INSERT INTO judgments
		(id, item_id, kind, profile, status, certainty, consistency, request, response, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		[]any{resp.JudgmentId, resp.ItemId, kind, resp.JudgeProfile, int32(resp.Status),
			resp.VerbalCertainty, resp.PositionConsistency, reqBytes, respBytes,
			resp.CreatedAt.AsTime().UnixMilli()}}}
	// The facet rows the console filters by commit with the judgment, so a
	// listed judgment is never missing its filters.
	stmts = append(stmts, facetStatements(resp)...)
	if err := s.write(ctx, stmts...); err != nil {
		return fmt.Errorf("save judgment %s: %w", resp.JudgmentId, err)
	}
	return nil
}

// GetJudgment returns a stored judgment and its request.
func (s *Store) GetJudgment(ctx context.Context, id string) (*pb.ScoreRequest, *pb.ScoreResponse, error) {
	var reqBytes, respBytes []byte
	err := s.db.QueryRowContext(ctx, `SELECT request, response FROM judgments WHERE id = ?`, id).Scan(&reqBytes, &respBytes)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	req, resp := &pb.ScoreRequest{}, &pb.ScoreResponse{}
	if err := proto.Unmarshal(reqBytes, req); err != nil {
		return nil, nil, fmt.Errorf("judgment %s: stored request: %w", id, err)
	}
	if err := proto.Unmarshal(respBytes, resp); err != nil {
		return nil, nil, fmt.Errorf("judgment %s: stored response: %w", id, err)
	}
	return req, resp, nil
}

// write makes a durable write of statements that commit together: through
// the group commit on SQLite, in one transaction of its own on PostgreSQL.
func (s *Store) write(ctx context.Context, stmts ...sqlExec) error {
	if s.gc != nil {
		return s.gc.write(ctx, stmts)
	}
	if len(stmts) == 1 {
		_, err := s.w.ExecContext(ctx, stmts[0].query, stmts[0].args...)
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, st := range stmts {
		if _, err := tx.ExecContext(ctx, st.query, st.args...); err != nil {
			return err
		}
	}
	return tx.Commit()
}
