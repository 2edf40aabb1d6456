package server

import (
	"encoding/base64"
	"encoding/json"

	"github.com/personajudge/personajudge/store"
)

// Page sizes of the console's list RPCs.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// pageToken is where a page ended, sent back to the caller as opaque
// base64 so that it can ask for the page after. It names only positions in
// the listing order, never a filter: the caller sends the same filter with
// it.
type pageToken struct {
	Labelled  bool   `json:"l,omitempty"`
	CreatedAt int64  `json:"t"`
	ID        string `json:"i"`
}

func encodePageToken(c store.Cursor) string {
	b, _ := json.Marshal(pageToken{Labelled: c.Labelled, CreatedAt: c.CreatedAt, ID: c.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodePageToken reads a page token; "" is the first page (nil).
func decodePageToken(s string) (*store.Cursor, *fieldError) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var t pageToken
	if err != nil || len(b) > 256 || json.Unmarshal(b, &t) != nil || t.ID == "" {
		return nil, badField("page_token", "is not a token this service issued; send next_page_token as it came")
	}
	return &store.Cursor{Labelled: t.Labelled, CreatedAt: t.CreatedAt, ID: t.ID}, nil
}

// pageSize checks a requested page size; zero means the default.
func pageSize(n int32) (int, *fieldError) {
	if n < 0 || n > MaxPageSize {
		return 0, badField("page_size", "must be 0 (for %d) to %d, got %d", DefaultPageSize, MaxPageSize, n)
	}
	if n == 0 {
		return DefaultPageSize, nil
	}
	return int(n), nil
}
