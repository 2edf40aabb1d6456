package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

// SaveJudgment records a judgment with the request that produced it, in
// one transaction, before the response is sent.
func (s *Store) SaveJudgment(ctx context.Context, kind string, req *pb.ScoreRequest, resp *pb.ScoreResponse) error {
	reqBytes, err := proto.Marshal(req)
	if err != nil {
		return err
	}
	respBytes, err := proto.Marshal(resp)
	if err != nil {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT INTO judgments
		(id, item_id, kind, profile, status, certainty, consistency, request, response, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		resp.JudgmentId, resp.ItemId, kind, resp.JudgeProfile, int32(resp.Status),
		resp.VerbalCertainty, resp.PositionConsistency, reqBytes, respBytes,
		resp.CreatedAt.AsTime().UnixMilli())
	if err != nil {
		return fmt.Errorf("save judgment %s: %w", resp.JudgmentId, err)
	}
	if err := saveFacets(ctx, tx, resp); err != nil {
		return fmt.Errorf("save judgment %s: %w", resp.JudgmentId, err)
	}
	return tx.Commit()
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
