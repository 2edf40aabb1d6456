package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

// Calibrator is a fitted calibrator of one judge profile with the held-out
// evidence it was chosen on.
type Calibrator struct {
	Profile string
	// Version is "v1", "v2", ... in fit order per profile; SaveCalibrator
	// assigns it.
	Version string
	// Method names the fitting method ("isotonic", ...).
	Method string
	// Model is the fitted model as encoded by the calibration package;
	// stored as it is.
	Model []byte
	// Threshold is the high-certainty threshold on calibrated probability;
	// nil when no threshold met the target, so high_certainty stays false.
	Threshold *float64
	// N is how many outcomes the model was fitted on.
	N         int
	Active    bool
	CreatedAt time.Time
	// Report is the held-out (cross-fitted) report of the fit, raw and
	// calibrated side by side; its calibrator_version names this version.
	Report *pb.CalibrationReport
}

// SaveCalibrator stores c as the profile's next version, in one
// transaction, and when activate is set makes it the profile's only active
// calibrator. It fills in c.Version, c.Active and c.CreatedAt.
func (s *Store) SaveCalibrator(ctx context.Context, c *Calibrator, activate bool) error {
	if len(c.Model) == 0 {
		return errors.New("save calibrator: no model")
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var seq int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM calibrators WHERE profile = ?`, c.Profile).Scan(&seq); err != nil {
		return err
	}
	version := fmt.Sprintf("v%d", seq)
	report := &pb.CalibrationReport{Profile: c.Profile}
	if c.Report != nil {
		report = proto.Clone(c.Report).(*pb.CalibrationReport)
	}
	report.CalibratorVersion = version
	reportBytes, err := proto.Marshal(report)
	if err != nil {
		return err
	}
	if activate {
		if _, err := tx.ExecContext(ctx, `UPDATE calibrators SET active = 0 WHERE profile = ? AND active = 1`, c.Profile); err != nil {
			return err
		}
	}
	now := time.Now()
	var threshold sql.NullFloat64
	if c.Threshold != nil {
		threshold = sql.NullFloat64{Float64: *c.Threshold, Valid: true}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO calibrators
		(profile, seq, version, method, model, threshold, n, active, report, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Profile, seq, version, c.Method, string(c.Model), threshold, c.N, activate, reportBytes, now.UnixMilli()); err != nil {
		return fmt.Errorf("save calibrator %s %s: %w", c.Profile, version, err)
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	c.Version, c.Active, c.CreatedAt, c.Report = version, activate, now, report
	return nil
}

// ActivateCalibrator makes a stored version the profile's active
// calibrator, deactivating the previous one in the same transaction.
func (s *Store) ActivateCalibrator(ctx context.Context, profile, version string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var exists int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM calibrators WHERE profile = ? AND version = ?`, profile, version).Scan(&exists)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE calibrators SET active = 0 WHERE profile = ? AND active = 1`, profile); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE calibrators SET active = 1 WHERE profile = ? AND version = ?`, profile, version); err != nil {
		return err
	}
	return tx.Commit()
}

const calibratorColumns = `profile, version, method, model, threshold, n, active, report, created_at`

// GetCalibrator returns one version of a profile's calibrators, or
// ErrNotFound.
func (s *Store) GetCalibrator(ctx context.Context, profile, version string) (*Calibrator, error) {
	return scanCalibrator(s.db.QueryRowContext(ctx, `SELECT `+calibratorColumns+`
		FROM calibrators WHERE profile = ? AND version = ?`, profile, version))
}

// ActiveCalibrator returns the profile's active calibrator, or ErrNotFound
// when it has none.
func (s *Store) ActiveCalibrator(ctx context.Context, profile string) (*Calibrator, error) {
	return scanCalibrator(s.db.QueryRowContext(ctx, `SELECT `+calibratorColumns+`
		FROM calibrators WHERE profile = ? AND active = 1`, profile))
}

// ActiveCalibratorModel returns the profile's active calibrator as stored
// (version "" when it has none); it is what judging reads.
func (s *Store) ActiveCalibratorModel(ctx context.Context, profile string) (version string, model []byte, threshold *float64, err error) {
	var th sql.NullFloat64
	err = s.db.QueryRowContext(ctx, `SELECT version, model, threshold FROM calibrators WHERE profile = ? AND active = 1`, profile).
		Scan(&version, &model, &th)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, nil, nil
	}
	if err != nil {
		return "", nil, nil, err
	}
	if th.Valid {
		threshold = &th.Float64
	}
	return version, model, threshold, nil
}

// ListCalibrators returns every calibrator of a profile, oldest first.
func (s *Store) ListCalibrators(ctx context.Context, profile string) ([]*Calibrator, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+calibratorColumns+`
		FROM calibrators WHERE profile = ? ORDER BY seq`, profile)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Calibrator
	for rows.Next() {
		c, err := scanCalibrator(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

func scanCalibrator(row scanner) (*Calibrator, error) {
	var c Calibrator
	var model string
	var threshold sql.NullFloat64
	var report []byte
	var created int64
	err := row.Scan(&c.Profile, &c.Version, &c.Method, &model, &threshold, &c.N, &c.Active, &report, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	c.Model = []byte(model)
	c.Report = &pb.CalibrationReport{}
	if err := proto.Unmarshal(report, c.Report); err != nil {
		return nil, fmt.Errorf("calibrator %s %s: stored report: %w", c.Profile, c.Version, err)
	}
	if threshold.Valid {
		c.Threshold = &threshold.Float64
	}
	c.CreatedAt = time.UnixMilli(created)
	return &c, nil
}
