package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

// Cursor is where a page of judgments ended: the last row's position in
// the listing order. Labelled matters only to the review queue, which
// lists unlabelled judgments first.
type Cursor struct {
	Labelled  bool
	CreatedAt int64 // unix millis
	ID        string
}

// JudgmentFilter selects judgments; zero fields select everything.
type JudgmentFilter struct {
	Profile    string
	Kind       string
	Status     pb.JudgmentStatus
	ReasonCode pb.ReasonCode
	// Tags must all be carried, key and value.
	Tags map[string]string
	// After and Before bound created_at: After <= created_at < Before.
	After, Before time.Time
	// Limit caps the rows; After the cursor's row only.
	Limit int
	Start *Cursor
}

// ListedJudgment is one row of a listing: the stored response, the judge
// kind and the label when there is one.
type ListedJudgment struct {
	Kind     string
	Response *pb.ScoreResponse
	Label    *pb.Label
	Cursor   Cursor
}

// listColumns are the columns scanListed reads, in its order.
const listColumns = `j.kind, j.response, j.created_at, j.id, o.choice, o.tie, o.score`

// ListJudgments returns judgments matching f, newest first (ties by id,
// descending), starting after f.Start.
func (s *Store) ListJudgments(ctx context.Context, f JudgmentFilter) ([]ListedJudgment, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if f.Profile != "" {
		add("j.profile = ?", f.Profile)
	}
	if f.Kind != "" {
		add("j.kind = ?", f.Kind)
	}
	if f.Status != pb.JudgmentStatus_JUDGMENT_STATUS_UNSPECIFIED {
		add("j.status = ?", int32(f.Status))
	}
	if f.ReasonCode != pb.ReasonCode_REASON_CODE_UNSPECIFIED {
		add("f.reason_code = ?", int32(f.ReasonCode))
	}
	addTags(add, f.Tags)
	if !f.After.IsZero() {
		add("j.created_at >= ?", f.After.UnixMilli())
	}
	if !f.Before.IsZero() {
		add("j.created_at < ?", f.Before.UnixMilli())
	}
	if c := f.Start; c != nil {
		add("(j.created_at < ? OR (j.created_at = ? AND j.id < ?))", c.CreatedAt, c.CreatedAt, c.ID)
	}
	q := `SELECT ` + listColumns + `
		FROM judgments j JOIN judgment_facets f ON f.judgment_id = j.id
		LEFT JOIN outcomes o ON o.judgment_id = j.id` + whereClause(where) + `
		ORDER BY j.created_at DESC, j.id DESC LIMIT ?`
	return s.queryListed(ctx, q, append(args, f.Limit)...)
}

// ReviewFilter selects the review queue: judgments of the listed statuses
// that are uncertain by any of three tests. Which statuses and thresholds
// make a judgment uncertain is the caller's to say.
type ReviewFilter struct {
	Profile string
	// Statuses a judgment may have to be reviewed at all.
	Statuses []pb.JudgmentStatus
	// Uncertain: one of these statuses, or a position consistency below
	// ConsistencyBelow, or a calibrated probability below ProbabilityBelow.
	UncertainStatuses []pb.JudgmentStatus
	ConsistencyBelow  float64
	ProbabilityBelow  float64
	IncludeLabelled   bool
	Limit             int
	Start             *Cursor
}

// labelledExpr is 0 for an unlabelled judgment, 1 for a labelled one.
const labelledExpr = `(CASE WHEN o.judgment_id IS NULL THEN 0 ELSE 1 END)`

// ListReviewQueue returns uncertain judgments, unlabelled first, then
// newest first, starting after f.Start.
func (s *Store) ListReviewQueue(ctx context.Context, f ReviewFilter) ([]ListedJudgment, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if f.Profile != "" {
		add("j.profile = ?", f.Profile)
	}
	add("j.status IN ("+placeholders(len(f.Statuses))+")", statusArgs(f.Statuses)...)
	uncertain := []string{"j.consistency < ?", "(f.calibrated_probability IS NOT NULL AND f.calibrated_probability < ?)"}
	uargs := []any{f.ConsistencyBelow, f.ProbabilityBelow}
	if len(f.UncertainStatuses) > 0 {
		uncertain = append(uncertain, "j.status IN ("+placeholders(len(f.UncertainStatuses))+")")
		uargs = append(uargs, statusArgs(f.UncertainStatuses)...)
	}
	add("("+strings.Join(uncertain, " OR ")+")", uargs...)
	if !f.IncludeLabelled {
		add("o.judgment_id IS NULL")
	}
	if c := f.Start; c != nil {
		l := 0
		if c.Labelled {
			l = 1
		}
		add(labelledExpr+" > ? OR ("+labelledExpr+" = ? AND (j.created_at < ? OR (j.created_at = ? AND j.id < ?)))",
			l, l, c.CreatedAt, c.CreatedAt, c.ID)
		where[len(where)-1] = "(" + where[len(where)-1] + ")"
	}
	q := `SELECT ` + listColumns + `
		FROM judgments j JOIN judgment_facets f ON f.judgment_id = j.id
		LEFT JOIN outcomes o ON o.judgment_id = j.id` + whereClause(where) + `
		ORDER BY ` + labelledExpr + `, j.created_at DESC, j.id DESC LIMIT ?`
	return s.queryListed(ctx, q, append(args, f.Limit)...)
}

func addTags(add func(string, ...any), tags map[string]string) {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys) // one statement text per tag set, whatever the map order
	for _, k := range keys {
		add(`EXISTS (SELECT 1 FROM judgment_tags t WHERE t.judgment_id = j.id AND t.tag_key = ? AND t.tag_value = ?)`, k, tags[k])
	}
}

func whereClause(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

func placeholders(n int) string {
	if n == 0 {
		return "NULL"
	}
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func statusArgs(ss []pb.JudgmentStatus) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = int32(s)
	}
	return out
}

func (s *Store) queryListed(ctx context.Context, q string, args ...any) ([]ListedJudgment, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ListedJudgment
	for rows.Next() {
		var lj ListedJudgment
		var raw []byte
		var choice sql.NullInt64
		var tie sql.NullBool
		var score sql.NullFloat64
		if err := rows.Scan(&lj.Kind, &raw, &lj.Cursor.CreatedAt, &lj.Cursor.ID, &choice, &tie, &score); err != nil {
			return nil, err
		}
		lj.Response = &pb.ScoreResponse{}
		if err := proto.Unmarshal(raw, lj.Response); err != nil {
			return nil, fmt.Errorf("judgment %s: stored response: %w", lj.Cursor.ID, err)
		}
		if tie.Valid {
			lj.Label = labelFromColumns(choice, tie.Bool, score)
			lj.Cursor.Labelled = true
		}
		out = append(out, lj)
	}
	return out, rows.Err()
}
