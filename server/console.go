package server

import (
	"context"
	"errors"
	"math"
	"slices"
	"time"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/store"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// ConsoleService implements ConsoleService: the ledger listed and
// filtered, the review queue, eval runs and calibrators, for the web
// console and any other client.
type ConsoleService struct {
	svc   *Service
	store *store.Store
}

var _ personajudgev1connect.ConsoleServiceHandler = (*ConsoleService)(nil)

// Console returns the ConsoleService over the service's store.
func (s *Service) Console() *ConsoleService { return &ConsoleService{svc: s, store: s.store} }

func (c *ConsoleService) internal(ctx context.Context, what string, err error) error {
	return c.svc.internalError(ctx, connect.CodeInternal, "LEDGER_UNAVAILABLE", what+" failed", err)
}

// DefaultReviewProbability is the calibrated probability below which a
// verdict goes to the review queue unless the request says otherwise.
const DefaultReviewProbability = 0.7

// kinds are the judge kinds a filter may name.
var kinds = []string{"preference", "role", "adherence"}

// ListJudgments lists stored judgments, newest first, by filter.
func (c *ConsoleService) ListJudgments(ctx context.Context, req *pb.ListJudgmentsRequest) (*pb.ListJudgmentsResponse, error) {
	f, fe := judgmentFilter(req)
	if fe != nil {
		return nil, invalidArgument(fe)
	}
	limit := f.Limit
	f.Limit++ // one more than the page says whether there is a next
	rows, err := c.store.ListJudgments(ctx, f)
	if err != nil {
		return nil, c.internal(ctx, "listing judgments", err)
	}
	out := &pb.ListJudgmentsResponse{}
	rows, out.NextPageToken = page(rows, limit)
	for _, r := range rows {
		out.Judgments = append(out.Judgments, summaryOf(r))
	}
	return out, nil
}

func judgmentFilter(req *pb.ListJudgmentsRequest) (store.JudgmentFilter, *fieldError) {
	f := store.JudgmentFilter{Profile: req.Profile, Kind: req.Kind, Status: req.Status, ReasonCode: req.ReasonCode, Tags: req.Tags}
	if len(req.Profile) > 512 {
		return f, badField("profile", "at most 512 bytes")
	}
	if req.Kind != "" && !slices.Contains(kinds, req.Kind) {
		return f, badField("kind", "must be one of %v, got %q", kinds, req.Kind)
	}
	if _, ok := pb.JudgmentStatus_name[int32(req.Status)]; !ok {
		return f, badField("status", "unknown status %d", req.Status)
	}
	if _, ok := pb.ReasonCode_name[int32(req.ReasonCode)]; !ok {
		return f, badField("reason_code", "unknown reason code %d", req.ReasonCode)
	}
	if fe := validateTags(req.Tags); fe != nil {
		return f, fe
	}
	var fe *fieldError
	if f.After, fe = timeFilter("created_after", req.CreatedAfter); fe != nil {
		return f, fe
	}
	if f.Before, fe = timeFilter("created_before", req.CreatedBefore); fe != nil {
		return f, fe
	}
	if !f.After.IsZero() && !f.Before.IsZero() && !f.After.Before(f.Before) {
		return f, badField("created_before", "must be after created_after")
	}
	if f.Limit, fe = pageSize(req.PageSize); fe != nil {
		return f, fe
	}
	f.Start, fe = decodePageToken(req.PageToken)
	return f, fe
}

func timeFilter(field string, ts *timestamppb.Timestamp) (time.Time, *fieldError) {
	if ts == nil {
		return time.Time{}, nil
	}
	if err := ts.CheckValid(); err != nil {
		return time.Time{}, badField(field, "is not a valid time")
	}
	return ts.AsTime(), nil
}

// page cuts rows (fetched one longer than the page) to the page and
// returns the token of the next page, "" when there is none.
func page(rows []store.ListedJudgment, limit int) ([]store.ListedJudgment, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, encodePageToken(rows[limit-1].Cursor)
}

func summaryOf(r store.ListedJudgment) *pb.JudgmentSummary {
	resp := r.Response
	return &pb.JudgmentSummary{
		JudgmentId:            resp.JudgmentId,
		ItemId:                resp.ItemId,
		Kind:                  r.Kind,
		JudgeProfile:          resp.JudgeProfile,
		Status:                resp.Status,
		ReasonCode:            resp.ReasonCode,
		Reason:                resp.Reason,
		Verdict:               resp.Verdict,
		VerbalCertainty:       resp.VerbalCertainty,
		CalibratedProbability: resp.CalibratedProbability,
		PositionConsistency:   resp.PositionConsistency,
		TieSource:             resp.TieSource,
		Tags:                  resp.Tags,
		CreatedAt:             resp.CreatedAt,
		Label:                 r.Label,
	}
}

// ListReviewQueue lists uncertain judgments, unlabelled first. Only
// verdicts and abstentions are reviewed: a judge error or an invalid item
// says nothing about how right a judge is, so labelling it teaches a
// calibrator nothing.
func (c *ConsoleService) ListReviewQueue(ctx context.Context, req *pb.ListReviewQueueRequest) (*pb.ListReviewQueueResponse, error) {
	threshold := req.MaxProbability
	if threshold == 0 {
		threshold = DefaultReviewProbability
	}
	if math.IsNaN(threshold) || threshold <= 0 || threshold > 1 {
		return nil, invalidArgument(badField("max_probability", "must be in (0, 1], or 0 for %g", DefaultReviewProbability))
	}
	if len(req.Profile) > 512 {
		return nil, invalidArgument(badField("profile", "at most 512 bytes"))
	}
	limit, fe := pageSize(req.PageSize)
	if fe != nil {
		return nil, invalidArgument(fe)
	}
	start, fe := decodePageToken(req.PageToken)
	if fe != nil {
		return nil, invalidArgument(fe)
	}
	abstain := pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN
	rows, err := c.store.ListReviewQueue(ctx, store.ReviewFilter{
		Profile:           req.Profile,
		Statuses:          []pb.JudgmentStatus{pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT, abstain},
		UncertainStatuses: []pb.JudgmentStatus{abstain},
		ConsistencyBelow:  1,
		ProbabilityBelow:  threshold,
		IncludeLabelled:   req.IncludeLabelled,
		Limit:             limit + 1,
		Start:             start,
	})
	if err != nil {
		return nil, c.internal(ctx, "listing the review queue", err)
	}
	out := &pb.ListReviewQueueResponse{}
	rows, out.NextPageToken = page(rows, limit)
	for _, r := range rows {
		out.Items = append(out.Items, &pb.ReviewItem{Judgment: summaryOf(r), Reasons: reviewReasons(r.Response, threshold)})
	}
	return out, nil
}

// reviewReasons says why a judgment is uncertain, by the same tests the
// queue's query applies.
func reviewReasons(resp *pb.ScoreResponse, threshold float64) []pb.ReviewReason {
	var out []pb.ReviewReason
	if resp.Status == pb.JudgmentStatus_JUDGMENT_STATUS_ABSTAIN {
		out = append(out, pb.ReviewReason_REVIEW_REASON_ABSTAIN)
	}
	if resp.PositionConsistency < 1 {
		out = append(out, pb.ReviewReason_REVIEW_REASON_ORDERS_DISAGREE)
	}
	if resp.CalibratedProbability != nil && resp.GetCalibratedProbability() < threshold {
		out = append(out, pb.ReviewReason_REVIEW_REASON_LOW_PROBABILITY)
	}
	return out
}

// ListProfiles lists the profiles of the ledger and the calibrators.
func (c *ConsoleService) ListProfiles(ctx context.Context, _ *pb.ListProfilesRequest) (*pb.ListProfilesResponse, error) {
	ps, err := c.store.Profiles(ctx)
	if err != nil {
		return nil, c.internal(ctx, "listing profiles", err)
	}
	out := &pb.ListProfilesResponse{}
	for _, p := range ps {
		out.Profiles = append(out.Profiles, &pb.ProfileInfo{
			Profile: p.Profile, Judgments: p.Judgments, Labelled: p.Labelled,
			ActiveCalibrator: p.ActiveCalibrator, Calibrators: int32(p.Calibrators),
		})
	}
	return out, nil
}

// ListCalibrators lists a profile's calibrators, newest first.
func (c *ConsoleService) ListCalibrators(ctx context.Context, req *pb.ListCalibratorsRequest) (*pb.ListCalibratorsResponse, error) {
	if req.Profile == "" {
		return nil, invalidArgument(badField("profile", "must not be empty"))
	}
	cs, err := c.store.ListCalibrators(ctx, req.Profile)
	if err != nil {
		return nil, c.internal(ctx, "listing calibrators", err)
	}
	out := &pb.ListCalibratorsResponse{}
	for _, cal := range slices.Backward(cs) {
		out.Calibrators = append(out.Calibrators, &pb.StoredCalibrator{Info: calibratorInfo(cal), CreatedAt: timestamppb.New(cal.CreatedAt)})
	}
	return out, nil
}

// errNoRun is the NotFound of an unknown eval run.
func errNoRun(id string) error {
	return connect.NewError(connect.CodeNotFound, errors.New("run_id: no eval run "+id))
}
