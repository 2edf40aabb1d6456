package server

import (
	"net/http"
	"testing"

	"connectrpc.com/connect"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/internal/fakejudge"
)

// rawAuth sends the Authorization header exactly as given.
type rawAuth struct {
	value string
	next  http.RoundTripper
}

func (a rawAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", a.value)
	return a.next.RoundTrip(r)
}

// The authentication scheme is case-insensitive (RFC 9110, section 11.1):
// "bearer KEY" is the same credential as "Bearer KEY". The key itself is
// compared exactly.
func TestAuthSchemeIsCaseInsensitive(t *testing.T) {
	h, _ := gatedHarness(t, fakejudge.ContentPreference("GOOD", 80), DefaultLimits())
	tests := []struct {
		header string
		want   connect.Code // NotFound: admitted (the judgment id is unknown)
	}{
		{"Bearer " + readKey, connect.CodeNotFound},
		{"bearer " + readKey, connect.CodeNotFound},
		{"BEARER " + readKey, connect.CodeNotFound},
		{"bEaReR " + readKey, connect.CodeNotFound},
		{"Bearer   " + readKey + " ", connect.CodeNotFound},
		{"Bearer\t" + readKey, connect.CodeNotFound},
		{"Bearer " + "PJ-READ-0123456789", connect.CodeUnauthenticated}, // the key is not case-folded
		{"Basic " + readKey, connect.CodeUnauthenticated},
		{"Bearer" + readKey, connect.CodeUnauthenticated},
		{"Bearer", connect.CodeUnauthenticated},
		{"bearer ", connect.CodeUnauthenticated},
		{readKey, connect.CodeUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			hc := &http.Client{Transport: rawAuth{tt.header, http.DefaultTransport}}
			c := personajudgev1connect.NewJudgeServiceClient(hc, h.srv.URL, connect.WithProtoJSON())
			_, err := c.GetJudgment(t.Context(), &pb.GetJudgmentRequest{JudgmentId: "none"})
			if got := connect.CodeOf(err); got != tt.want {
				t.Fatalf("Authorization %q: code %v (%v), want %v", tt.header, got, err, tt.want)
			}
		})
	}
}
