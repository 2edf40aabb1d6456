// Package multiaddr lets the command-line clients (eval, score, load) talk
// to several replicas of the service: it reads an address list and spreads
// unary Score calls over the replicas, moving a call that a replica could
// not take to the next one.
package multiaddr

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync/atomic"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// EnvVar names the environment variable that may hold the address list,
// used when no --addr flag is given.
const EnvVar = "PERSONAJUDGE_ADDR"

// Default is the --addr default: $PERSONAJUDGE_ADDR when set, else
// fallback.
func Default(fallback string) string {
	if v := strings.TrimSpace(os.Getenv(EnvVar)); v != "" {
		return v
	}
	return fallback
}

// Parse reads a comma-separated list of base URLs (http:// or https://),
// dropping blanks and repeats, in order.
func Parse(list string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, a := range strings.Split(list, ",") {
		a = strings.TrimRight(strings.TrimSpace(a), "/")
		if a == "" || seen[a] {
			continue
		}
		u, err := url.Parse(a)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("address %q: want a base URL such as http://127.0.0.1:8080", a)
		}
		seen[a] = true
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no address in %q", list)
	}
	return out, nil
}

// Scorer is the unary call a replica answers; a
// personajudgev1connect.JudgeServiceClient is one.
type Scorer interface {
	Score(context.Context, *pb.ScoreRequest) (*pb.ScoreResponse, error)
}

// Spread sends each Score call to the next replica in turn; a call a
// replica answers Unavailable (it is down, draining or unreachable) goes to
// the next, each replica tried at most once. Any other answer, an error
// included, is the call's answer. A call retried this way may have been
// judged by the replica that failed as well: its ledger then holds the
// judgment twice, and with a shared LLM cache the second costs no call.
type Spread struct {
	replicas []Scorer
	next     atomic.Uint64
}

// NewSpread spreads calls over replicas, in the order given.
func NewSpread(replicas ...Scorer) *Spread { return &Spread{replicas: replicas} }

// Score implements Scorer.
func (s *Spread) Score(ctx context.Context, req *pb.ScoreRequest) (*pb.ScoreResponse, error) {
	first := s.next.Add(1) - 1
	var err error
	for i := range s.replicas {
		r := s.replicas[(first+uint64(i))%uint64(len(s.replicas))]
		var resp *pb.ScoreResponse
		resp, err = r.Score(ctx, req)
		if connect.CodeOf(err) != connect.CodeUnavailable || ctx.Err() != nil {
			return resp, err
		}
	}
	return nil, err
}
