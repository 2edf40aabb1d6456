package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

// LabelledFilter selects labelled judgments for reports. Zero fields match
// everything; times are unix milliseconds, After inclusive and Before
// exclusive.
type LabelledFilter struct {
	Profile, Kind string
	After, Before int64
}

// KindedJudgment is a labelled judgment with its judge kind.
type KindedJudgment struct {
	Kind     string
	Response *pb.ScoreResponse
	Label    *pb.Label
}

// FilterLabelledJudgments returns the labelled judgments that match f,
// ordered by kind, profile and time (a fixed order, so resampled reports
// are repeatable). Tags live inside the stored response; the caller
// filters on them.
func (s *Store) FilterLabelledJudgments(ctx context.Context, f LabelledFilter) ([]KindedJudgment, error) {
	var where []string
	var args []any
	if f.Profile != "" {
		where, args = append(where, "j.profile = ?"), append(args, f.Profile)
	}
	if f.Kind != "" {
		where, args = append(where, "j.kind = ?"), append(args, f.Kind)
	}
	if f.After != 0 {
		where, args = append(where, "j.created_at >= ?"), append(args, f.After)
	}
	if f.Before != 0 {
		where, args = append(where, "j.created_at < ?"), append(args, f.Before)
	}
	q := `SELECT j.kind, j.response, o.choice, o.tie, o.score
		FROM outcomes o JOIN judgments j ON j.id = o.judgment_id`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY j.kind, j.profile, j.created_at, j.id"
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []KindedJudgment
	for rows.Next() {
		var raw []byte
		var choice sql.NullInt64
		var tie bool
		var score sql.NullFloat64
		kj := KindedJudgment{Response: &pb.ScoreResponse{}}
		if err := rows.Scan(&kj.Kind, &raw, &choice, &tie, &score); err != nil {
			return nil, err
		}
		if err := proto.Unmarshal(raw, kj.Response); err != nil {
			return nil, fmt.Errorf("labelled judgment: stored response: %w", err)
		}
		kj.Label = labelFromColumns(choice, tie, score)
		out = append(out, kj)
	}
	return out, rows.Err()
}
