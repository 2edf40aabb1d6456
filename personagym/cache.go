package personagym

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
)

// fileCache is an append-only JSON-lines cache of generated text kept in
// the run directory ({"key": ..., "itemId": ..., "value": ...} a line), so a
// rerun reuses what the agent and the generator already wrote, and the run
// directory holds everything the judge saw. A torn last line (a kill mid
// write) is ignored and its item asked again; failures are never cached.
type fileCache struct {
	path string
	mu   sync.Mutex
	f    *os.File
	m    map[string]json.RawMessage
}

type cacheLine struct {
	Key    string          `json:"key"`
	ItemID string          `json:"itemId"`
	Value  json.RawMessage `json:"value"`
}

func openCache(path string) (*fileCache, error) {
	c := &fileCache{path: path, m: map[string]json.RawMessage{}}
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	good := 0 // bytes up to the last complete, readable line
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), maxLineBytes)
	for sc.Scan() {
		var l cacheLine
		if json.Unmarshal(sc.Bytes(), &l) != nil || l.Key == "" {
			break
		}
		c.m[l.Key] = l.Value
		good += len(sc.Bytes()) + 1
	}
	if good > len(b) { // a last line without its newline
		good = len(b)
	}
	if err := os.Truncate(path, int64(good)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if c.f, err = os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err != nil {
		return nil, err
	}
	return c, nil
}

// get decodes the cached value of key into v; false when there is none.
func (c *fileCache) get(key string, v any) bool {
	c.mu.Lock()
	raw, ok := c.m[key]
	c.mu.Unlock()
	return ok && json.Unmarshal(raw, v) == nil
}

// put appends a value; a crash loses at most the lines not yet synced,
// which a rerun asks for again.
func (c *fileCache) put(key, itemID string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	line, err := json.Marshal(cacheLine{Key: key, ItemID: itemID, Value: raw})
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = raw
	if _, err := c.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("%s: %w", c.path, err)
	}
	return nil
}

func (c *fileCache) close() error {
	if err := c.f.Sync(); err != nil {
		c.f.Close()
		return err
	}
	return c.f.Close()
}

// cacheKey hashes its parts, length-prefixed so no two lists collide.
func cacheKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:", len(p))
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}
