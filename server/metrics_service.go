package server

import (
	"context"
	"math"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/metrics"
	"github.com/personajudge/personajudge/stats"
	"github.com/personajudge/personajudge/store"
)

// MetricsService implements MetricsService: the metrics package's figures
// over stored judgments with recorded outcomes. What a figure means is
// metrics' (and, for what is right, judges') to say; this maps the store's
// rows in and the figures out.
type MetricsService struct {
	svc   *Service
	store *store.Store
}

var _ personajudgev1connect.MetricsServiceHandler = (*MetricsService)(nil)

// Metrics returns the MetricsService over the same store.
func (s *Service) Metrics() *MetricsService { return &MetricsService{svc: s, store: s.store} }

// MaxMetricsBootstrapSamples bounds a metrics request's resampling work.
const MaxMetricsBootstrapSamples = 10000

// trackTag is the tag whose values split role identification figures
// (PersonaEval reports per track).
const trackTag = "track"

var judgeKinds = map[string]bool{"preference": true, "role_identification": true, "adherence": true}

func validateMetrics(req *pb.GetMetricsRequest) *fieldError {
	if req.Kind != "" && !judgeKinds[req.Kind] {
		return badField("kind", "must be preference, role_identification or adherence, not %q", clip(req.Kind, 64))
	}
	if len(req.Profile) > 1024 {
		return badField("profile", "at most 1024 bytes, got %d", len(req.Profile))
	}
	if fe := validateTags(req.Tags); fe != nil {
		return fe
	}
	if req.BootstrapSamples < 0 || req.BootstrapSamples > MaxMetricsBootstrapSamples {
		return badField("bootstrap_samples", "must be 0 to %d, got %d", MaxMetricsBootstrapSamples, req.BootstrapSamples)
	}
	if req.CreatedAfter != nil && !req.CreatedAfter.IsValid() {
		return badField("created_after", "is not a valid timestamp")
	}
	if req.CreatedBefore != nil && !req.CreatedBefore.IsValid() {
		return badField("created_before", "is not a valid timestamp")
	}
	if req.CreatedAfter != nil && req.CreatedBefore != nil && !req.CreatedBefore.AsTime().After(req.CreatedAfter.AsTime()) {
		return badField("created_before", "must be after created_after")
	}
	return nil
}

// GetMetrics reports every measurable figure per kind and profile, and per
// track for role identification.
func (m *MetricsService) GetMetrics(ctx context.Context, req *pb.GetMetricsRequest) (*pb.GetMetricsResponse, error) {
	if fe := validateMetrics(req); fe != nil {
		return nil, invalidArgument(fe)
	}
	f := store.LabelledFilter{Profile: req.Profile, Kind: req.Kind}
	if req.CreatedAfter != nil {
		f.After = req.CreatedAfter.AsTime().UnixMilli()
	}
	if req.CreatedBefore != nil {
		f.Before = req.CreatedBefore.AsTime().UnixMilli()
	}
	rows, err := m.store.FilterLabelledJudgments(ctx, f)
	if err != nil {
		return nil, m.svc.internalError(ctx, connect.CodeInternal, "STORE_UNAVAILABLE", "reading labelled judgments failed", err)
	}
	o := stats.BootstrapOptions{Seed: req.BootstrapSeed, Samples: int(req.BootstrapSamples)}
	resp := &pb.GetMetricsResponse{}
	// Rows come ordered by kind and profile: one collector per run of them.
	var cur *metrics.Collector
	var kind, profile string
	flush := func() {
		if cur == nil || cur.Len() == 0 {
			return
		}
		resp.Groups = append(resp.Groups, metricsGroup(kind, profile, "", cur, o))
		if kind == "role_identification" {
			for _, track := range cur.TagValues(trackTag) {
				resp.Groups = append(resp.Groups, metricsGroup(kind, profile, track, cur.WithTag(trackTag, track), o))
			}
		}
	}
	for _, r := range rows {
		if !hasTags(r.Response.Tags, req.Tags) {
			continue
		}
		if cur == nil || r.Kind != kind || r.Response.JudgeProfile != profile {
			flush()
			cur, kind, profile = &metrics.Collector{}, r.Kind, r.Response.JudgeProfile
		}
		cur.Add(r.Response, r.Label)
		resp.Judgments++
	}
	flush()
	return resp, nil
}

func hasTags(have, want map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func metricsGroup(kind, profile, track string, c *metrics.Collector, o stats.BootstrapOptions) *pb.MetricsGroup {
	g := &pb.MetricsGroup{Kind: kind, Profile: profile, Track: track, Judgments: int32(c.Len())}
	for _, f := range c.Figures(o) {
		if f.N == 0 || math.IsNaN(f.Value) {
			continue
		}
		fig := &pb.Figure{Name: f.Name, About: f.About, Value: f.Value, N: int32(f.N)}
		if !math.IsNaN(f.Lower) {
			fig.Interval = &pb.Interval{Lower: f.Lower, Upper: f.Upper, Level: f.Level}
		}
		g.Figures = append(g.Figures, fig)
	}
	return g
}
