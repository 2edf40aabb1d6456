package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"golang.org/x/sync/semaphore"
	"golang.org/x/time/rate"
)

// Role is what a key may do.
type Role string

const (
	// RoleRead may read judgments and calibration reports.
	RoleRead Role = "read"
	// RoleScore may also judge (Score, ScoreStream, PersonaScore).
	RoleScore Role = "score"
	// RoleAdmin may also record outcomes and fit calibrators.
	RoleAdmin Role = "admin"
)

// procedureRoles is the least role each procedure needs. A procedure
// missing here is refused to everyone: new RPCs must be placed explicitly.
var procedureRoles = map[string]Role{
	personajudgev1connect.JudgeServiceGetJudgmentProcedure:                RoleRead,
	personajudgev1connect.CalibrationServiceGetCalibrationReportProcedure: RoleRead,
	personajudgev1connect.MetricsServiceGetMetricsProcedure:               RoleRead,
	personajudgev1connect.JudgeServiceScoreProcedure:                      RoleScore,
	personajudgev1connect.JudgeServiceScoreStreamProcedure:                RoleScore,
	personajudgev1connect.JudgeServicePersonaScoreProcedure:               RoleScore,
	personajudgev1connect.CalibrationServiceRecordOutcomesProcedure:       RoleAdmin,
	personajudgev1connect.CalibrationServiceImportOutcomesProcedure:       RoleAdmin,
	personajudgev1connect.CalibrationServiceFitCalibratorProcedure:        RoleAdmin,
	personajudgev1connect.CascadeServiceFitCascadeProcedure:               RoleAdmin,
	// The console's reads; an eval pipeline records its run with the key it
	// scores with.
	personajudgev1connect.ConsoleServiceListJudgmentsProcedure:   RoleRead,
	personajudgev1connect.ConsoleServiceListReviewQueueProcedure: RoleRead,
	personajudgev1connect.ConsoleServiceListProfilesProcedure:    RoleRead,
	personajudgev1connect.ConsoleServiceListCalibratorsProcedure: RoleRead,
	personajudgev1connect.ConsoleServiceListEvalRunsProcedure:    RoleRead,
	personajudgev1connect.ConsoleServiceGetEvalRunProcedure:      RoleRead,
	personajudgev1connect.ConsoleServiceRecordEvalRunProcedure:   RoleScore,

	personajudgev1connect.BenchmarkServiceRollUpProcedure:      RoleRead,
	personajudgev1connect.BenchmarkServiceCompareRunsProcedure: RoleRead,
	personajudgev1connect.BenchmarkServiceRecordRunProcedure:   RoleScore,
}

func (r Role) rank() int {
	switch r {
	case RoleRead:
		return 1
	case RoleScore:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// KeyConfig is one API key as configured: never the key itself, only its
// SHA-256, so a leaked configuration file grants nothing.
type KeyConfig struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Role   Role   `json:"role"`
	// MaxConcurrent bounds this key's RPCs in flight; 0 uses the default.
	MaxConcurrent int `json:"max_concurrent,omitempty"`
	// RequestsPerSecond bounds this key's RPC rate; 0 uses the default.
	RequestsPerSecond float64 `json:"requests_per_second,omitempty"`
}

// KeysFile is the JSON file given to `serve --api-keys`.
type KeysFile struct {
	Keys []KeyConfig `json:"keys"`
}

// LoadKeys reads a keys file.
func LoadKeys(path string) ([]KeyConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var kf KeysFile
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&kf); err != nil {
		return nil, fmt.Errorf("keys file %s: %w", path, err)
	}
	return kf.Keys, nil
}

// HashKey is the SHA-256 hex of a key, as the keys file stores it.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// Limits are the per-caller defaults.
type Limits struct {
	MaxConcurrent     int     // RPCs in flight per key
	RequestsPerSecond float64 // RPC rate per key
}

// DefaultLimits are generous for one evaluation pipeline and stop a runaway
// caller from taking the whole service. A function, not a variable, so no
// caller can change the defaults of every other.
func DefaultLimits() Limits { return Limits{MaxConcurrent: 64, RequestsPerSecond: 200} }

type principal struct {
	name  string
	role  Role
	slots *semaphore.Weighted
	rate  *rate.Limiter
}

// Gate authenticates callers, checks their role against the procedure, and
// applies per-key limits. With no keys configured everyone is one anonymous
// admin caller, still limited.
type Gate struct {
	byHash    map[string]*principal
	anonymous *principal
}

// NewGate builds the gate. No keys means unauthenticated access.
func NewGate(keys []KeyConfig, defaults Limits) (*Gate, error) {
	g := &Gate{byHash: map[string]*principal{}}
	if len(keys) == 0 {
		g.anonymous = newPrincipal("anonymous", RoleAdmin, 0, 0, defaults)
		return g, nil
	}
	for i, k := range keys {
		h := strings.ToLower(strings.TrimSpace(k.SHA256))
		if _, err := hex.DecodeString(h); err != nil || len(h) != 64 {
			return nil, fmt.Errorf("keys[%d] (%s): sha256 must be 64 hex characters", i, k.Name)
		}
		if k.Role.rank() == 0 {
			return nil, fmt.Errorf("keys[%d] (%s): role must be read, score or admin, not %q", i, k.Name, k.Role)
		}
		if _, dup := g.byHash[h]; dup {
			return nil, fmt.Errorf("keys[%d] (%s): the same key is configured twice", i, k.Name)
		}
		g.byHash[h] = newPrincipal(k.Name, k.Role, k.MaxConcurrent, k.RequestsPerSecond, defaults)
	}
	return g, nil
}

func newPrincipal(name string, role Role, maxConc int, rps float64, d Limits) *principal {
	if maxConc <= 0 {
		maxConc = d.MaxConcurrent
	}
	if rps <= 0 {
		rps = d.RequestsPerSecond
	}
	return &principal{
		name:  name,
		role:  role,
		slots: semaphore.NewWeighted(int64(maxConc)),
		rate:  rate.NewLimiter(rate.Limit(rps), max(1, int(rps))),
	}
}

// Open reports whether the gate lets anyone in.
func (g *Gate) Open() bool { return g.anonymous != nil }

// admit authenticates and admits one RPC, returning its release.
func (g *Gate) admit(procedure string, header http.Header) (func(), error) {
	p := g.anonymous
	if p == nil {
		token, ok := bearerToken(header.Get("Authorization"))
		if !ok {
			return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("send an API key as 'Authorization: Bearer <key>'"))
		}
		if p = g.byHash[HashKey(token)]; p == nil {
			return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("unknown API key"))
		}
	}
	need, known := procedureRoles[procedure]
	if !known || p.role.rank() < need.rank() {
		return nil, connect.NewError(connect.CodePermissionDenied,
			fmt.Errorf("key %q (role %s) may not call %s", p.name, p.role, procedure))
	}
	if !p.rate.Allow() {
		return nil, overloaded(fmt.Sprintf("key %q is over its request rate", p.name), time.Second)
	}
	if !p.slots.TryAcquire(1) {
		return nil, overloaded(fmt.Sprintf("key %q has too many requests in flight", p.name), time.Second)
	}
	return func() { p.slots.Release(1) }, nil
}

// bearerToken reads the key of a Bearer credential. The scheme is
// case-insensitive (RFC 9110, section 11.1), so "bearer KEY" and "BEARER
// KEY" are the same credential; spaces or tabs separate it from the key,
// which is taken as sent, without surrounding whitespace.
func bearerToken(auth string) (string, bool) {
	auth = strings.TrimSpace(auth)
	i := strings.IndexAny(auth, " \t")
	if i < 0 || !strings.EqualFold(auth[:i], "Bearer") {
		return "", false
	}
	token := strings.TrimSpace(auth[i:])
	return token, token != ""
}

// Interceptor applies the gate to every JudgeService, CalibrationService,
// ConsoleService and MetricsService call, unary and streaming. Health and reflection are mounted without it.
func (g *Gate) Interceptor() connect.Interceptor { return gateInterceptor{g} }

type gateInterceptor struct{ g *Gate }

func (i gateInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		release, err := i.g.admit(req.Spec().Procedure, req.Header())
		if err != nil {
			return nil, err
		}
		defer release()
		return next(ctx, req)
	}
}

func (i gateInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i gateInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		release, err := i.g.admit(conn.Spec().Procedure, conn.RequestHeader())
		if err != nil {
			return err
		}
		defer release()
		return next(ctx, conn)
	}
}
