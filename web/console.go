// Package web holds the web console: a static page and its scripts,
// compiled from TypeScript by build.sh and committed, embedded in the
// binary so that serving it needs no build step and no node.
package web

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed static
var static embed.FS

// AssetPrefix is the path the console's assets are served under.
const AssetPrefix = "/console/"

// Handler serves the console: its page at "/" and its assets under
// AssetPrefix. Everything it shows comes from the Connect API, with the
// key the user enters, so it serves nothing that needs a key itself.
func Handler() http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.StripPrefix(AssetPrefix, http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The page must not be framed by another site (clickjacking an
		// admin into labelling), nor load scripts from anywhere else.
		h := w.Header()
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
		h.Set("Cache-Control", "no-cache")
		if r.URL.Path == "/" {
			http.ServeFileFS(w, r, sub, "index.html")
			return
		}
		files.ServeHTTP(w, r)
	})
}

// Mount adds the console to mux: GET and HEAD of "/" and of the assets.
// Every other path stays the mux's, so the RPC routes are untouched.
func Mount(mux *http.ServeMux) {
	h := Handler()
	mux.Handle("GET /{$}", h)
	mux.Handle("GET "+AssetPrefix, h)
}
