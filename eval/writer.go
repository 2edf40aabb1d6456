package eval

import (
	"bufio"
	"os"
	"sync"
)

// resultWriter appends result lines, flushing and fsyncing them at most
// every sync interval (and on close): a crash loses at most that much, and
// what it loses is judged again on resume, from the cache.
type resultWriter struct {
	mu    sync.Mutex
	f     *os.File
	w     *bufio.Writer
	dirty bool
	err   error
}

func openResults(path string) (*resultWriter, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	return &resultWriter{f: f, w: bufio.NewWriterSize(f, 256<<10)}, nil
}

func (rw *resultWriter) write(line []byte) error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.err != nil {
		return rw.err
	}
	_, rw.err = rw.w.Write(line)
	rw.dirty = true
	return rw.err
}

// sync makes every line written so far durable.
func (rw *resultWriter) sync() error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.err != nil || !rw.dirty {
		return rw.err
	}
	if rw.err = rw.w.Flush(); rw.err == nil {
		rw.err = rw.f.Sync()
	}
	rw.dirty = false
	return rw.err
}

func (rw *resultWriter) close() error {
	err := rw.sync()
	if cerr := rw.f.Close(); err == nil {
		err = cerr
	}
	return err
}
