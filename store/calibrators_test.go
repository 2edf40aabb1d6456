package store

import (
	"errors"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// fitted is an encoded model as the calibration package writes it; the
// store keeps it as opaque bytes.
func fitted() []byte {
	return []byte(`{"method":"isotonic","options":{},"train_n":40,"knots":[0,0.5,0.9],"values":[0.2,0.6,0.95]}`)
}

func activeVersions(t *testing.T, s *Store, profile string) []string {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), `SELECT version FROM calibrators WHERE profile = ? AND active = 1`, profile)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		rows.Scan(&v)
		out = append(out, v)
	}
	return out
}

func TestCalibratorVersionsAndActivation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, path string) {
		ctx := t.Context()
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		model := fitted()
		th := 0.8
		save := func(profile string, activate bool, threshold *float64) *Calibrator {
			c := &Calibrator{Profile: profile, Method: "isotonic", Model: model, Threshold: threshold, N: 40,
				Report: &pb.CalibrationReport{Profile: profile, Raw: &pb.CalibrationMetrics{N: 40}}}
			if err := s.SaveCalibrator(ctx, c, activate); err != nil {
				t.Fatal(err)
			}
			return c
		}
		steps := []struct {
			profile     string
			activate    bool
			wantVersion string
			wantActive  string // the profile's active version after the step
		}{
			{"p", true, "v1", "v1"},
			{"p", true, "v2", "v2"},
			{"p", false, "v3", "v2"}, // stored, not activated
			{"q", false, "v1", ""},   // versions are per profile
		}
		for i, st := range steps {
			c := save(st.profile, st.activate, &th)
			if c.Version != st.wantVersion || c.Active != st.activate || c.Report.CalibratorVersion != st.wantVersion {
				t.Fatalf("step %d: version %q active %v report version %q", i, c.Version, c.Active, c.Report.CalibratorVersion)
			}
			got := activeVersions(t, s, st.profile)
			if st.wantActive == "" && len(got) != 0 || st.wantActive != "" && (len(got) != 1 || got[0] != st.wantActive) {
				t.Fatalf("step %d: active versions of %s = %v, want %q", i, st.profile, got, st.wantActive)
			}
		}
		if _, err := s.ActiveCalibrator(ctx, "q"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("q has no active calibrator, got err %v", err)
		}
		if err := s.ActivateCalibrator(ctx, "p", "v1"); err != nil {
			t.Fatal(err)
		}
		if err := s.ActivateCalibrator(ctx, "p", "v9"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("activating an unknown version: %v", err)
		}
		if got := activeVersions(t, s, "p"); len(got) != 1 || got[0] != "v1" {
			t.Fatalf("after ActivateCalibrator(v1): active %v", got)
		}
		save("r", true, nil)
		s.Close()

		// Everything survives a reopen; the model predicts exactly as fitted.
		s, err = Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		act, err := s.ActiveCalibrator(ctx, "p")
		if err != nil || act.Version != "v1" || !act.Active || act.N != 40 || act.Threshold == nil || *act.Threshold != th {
			t.Fatalf("active of p = %+v, err %v", act, err)
		}
		if string(act.Model) != string(model) || act.Method != "isotonic" {
			t.Fatalf("stored model %s (%s), saved %s", act.Model, act.Method, model)
		}
		version, raw, threshold, err := s.ActiveCalibratorModel(ctx, "p")
		if err != nil || version != "v1" || string(raw) != string(model) || threshold == nil || *threshold != th {
			t.Fatalf("ActiveCalibratorModel(p) = %q, %s, %v, %v", version, raw, threshold, err)
		}
		if version, raw, threshold, err := s.ActiveCalibratorModel(ctx, "q"); err != nil || version != "" || raw != nil || threshold != nil {
			t.Fatalf("ActiveCalibratorModel(q) of a profile without one = %q, %s, %v, %v", version, raw, threshold, err)
		}
		if act.Report.Profile != "p" || act.Report.Raw.GetN() != 40 || act.Report.CalibratorVersion != "v1" {
			t.Fatalf("stored report = %v", act.Report)
		}
		r, err := s.ActiveCalibrator(ctx, "r")
		if err != nil || r.Threshold != nil {
			t.Fatalf("no threshold must stay nil: %+v, %v", r, err)
		}
		if c, err := s.GetCalibrator(ctx, "p", "v3"); err != nil || c.Active || c.Version != "v3" {
			t.Fatalf("GetCalibrator(p, v3) = %+v, %v", c, err)
		}
		if _, err := s.GetCalibrator(ctx, "p", "v4"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown version: %v", err)
		}
		list, err := s.ListCalibrators(ctx, "p")
		if err != nil || len(list) != 3 || list[0].Version != "v1" || list[2].Version != "v3" {
			t.Fatalf("ListCalibrators(p) = %d, %v", len(list), err)
		}
	})
}

// The schema itself refuses a second active calibrator for a profile.
func TestOneActiveCalibratorPerProfile(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		ctx := t.Context()
		if err := s.SaveCalibrator(ctx, &Calibrator{Profile: "p", Method: "isotonic", Model: fitted()}, true); err != nil {
			t.Fatal(err)
		}
		_, err := s.w.ExecContext(t.Context(), `INSERT INTO calibrators (profile, seq, version, method, model, n, active, report, created_at)
			VALUES ('p', 2, 'v2', 'isotonic', '{}', 0, 1, ?, 0)`, []byte{})
		if err == nil {
			t.Fatal("a second active calibrator was accepted")
		}
	})
}
