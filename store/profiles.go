package store

import (
	"context"
	"database/sql"
	"sort"
)

// ProfileCounts is what the ledger and the calibrators hold for one judge
// profile.
type ProfileCounts struct {
	Profile          string
	Judgments        int64
	Labelled         int64
	Calibrators      int
	ActiveCalibrator string
}

// Profiles lists every judge profile that has judgments or calibrators,
// by name.
func (s *Store) Profiles(ctx context.Context) ([]ProfileCounts, error) {
	byName := map[string]*ProfileCounts{}
	get := func(p string) *ProfileCounts {
		if byName[p] == nil {
			byName[p] = &ProfileCounts{Profile: p}
		}
		return byName[p]
	}
	rows, err := s.db.QueryContext(ctx, `SELECT j.profile, count(*), count(o.judgment_id)
		FROM judgments j LEFT JOIN outcomes o ON o.judgment_id = j.id GROUP BY j.profile`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var p string
		var n, l int64
		if err := rows.Scan(&p, &n, &l); err != nil {
			rows.Close()
			return nil, err
		}
		c := get(p)
		c.Judgments, c.Labelled = n, l
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.db.QueryContext(ctx, `SELECT profile, count(*),
		max(CASE WHEN active = 1 THEN version END) FROM calibrators GROUP BY profile`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var p string
		var n int
		var active sql.NullString
		if err := rows.Scan(&p, &n, &active); err != nil {
			rows.Close()
			return nil, err
		}
		c := get(p)
		c.Calibrators, c.ActiveCalibrator = n, active.String
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]ProfileCounts, 0, len(byName))
	for _, c := range byName {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Profile < out[j].Profile })
	return out, nil
}
