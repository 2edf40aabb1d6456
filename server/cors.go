package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	connectcors "connectrpc.com/cors"
	"github.com/rs/cors"
)

// CORSMaxAge is how long a browser may cache a preflight answer, in
// seconds (Chrome caps it at 7200).
const CORSMaxAge = 7200

// WithCORS lets pages served from the given origins call h from a browser:
// preflights are answered, and every Connect, gRPC-Web and Connect-JSON
// header, Authorization included, is allowed in and exposed out. Other
// origins get no CORS headers, so their browsers refuse the answer. No
// origins returns h unchanged.
func WithCORS(origins []string, h http.Handler) (http.Handler, error) {
	if len(origins) == 0 {
		return h, nil
	}
	for _, o := range origins {
		if err := checkOrigin(o); err != nil {
			return nil, err
		}
	}
	c := cors.New(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: connectcors.AllowedMethods(),
		AllowedHeaders: append(connectcors.AllowedHeaders(), "Authorization"),
		ExposedHeaders: append(connectcors.ExposedHeaders(), RequestIDHeader, "Retry-After"),
		MaxAge:         CORSMaxAge,
	})
	return c.Handler(h), nil
}

// checkOrigin accepts an origin as a browser sends it (scheme://host[:port],
// no path) or "*" for any origin.
func checkOrigin(o string) error {
	if o == "*" {
		return nil
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil || strings.HasSuffix(o, "/") {
		return fmt.Errorf("CORS origin %q: write it as a browser sends it, scheme://host[:port], or *", o)
	}
	return nil
}
