package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// resultLine is one line of eval's --out file:
//
//	{"itemId": "...", "result": <ScoreResponse as protojson>, "label": <Label>, "correct": true}
//
// label and correct appear only when the item carried a label; correct is
// false for a labelled item without a verdict.
type resultLine struct {
	ItemID  string          `json:"itemId"`
	Result  json.RawMessage `json:"result"`
	Label   json.RawMessage `json:"label,omitempty"`
	Correct *bool           `json:"correct,omitempty"`
}

// marshalResult renders one result line, newline included.
func marshalResult(resp *pb.ScoreResponse, label *pb.Label, correct *bool) ([]byte, error) {
	line := resultLine{ItemID: resp.ItemId, Correct: correct}
	var err error
	if line.Result, err = protojson.Marshal(resp); err != nil {
		return nil, err
	}
	if label != nil {
		if line.Label, err = protojson.Marshal(label); err != nil {
			return nil, err
		}
	}
	b, err := json.Marshal(line)
	return append(b, '\n'), err
}

// parseResult reads one result line back.
func parseResult(b []byte) (*pb.ScoreResponse, *pb.Label, error) {
	var line resultLine
	if err := json.Unmarshal(b, &line); err != nil {
		return nil, nil, err
	}
	if line.ItemID == "" || len(line.Result) == 0 {
		return nil, nil, errors.New("no itemId or result")
	}
	resp := &pb.ScoreResponse{}
	if err := protojson.Unmarshal(line.Result, resp); err != nil {
		return nil, nil, err
	}
	var label *pb.Label
	if len(line.Label) > 0 && string(line.Label) != "null" {
		label = &pb.Label{}
		if err := protojson.Unmarshal(line.Label, label); err != nil {
			return nil, nil, err
		}
	}
	return resp, label, nil
}

// loadResults reads the results an earlier run left in path, calling keep
// for each, and returns the item_ids already answered. A crash can tear only
// the last line, so an unreadable last line is cut off (the file is
// truncated to the end of the last good line, ready for appending); an
// unreadable line followed by good ones is an error, never silently lost.
// Results keep rejects are removed from the file, to be judged again.
func loadResults(path string, keep func(*pb.ScoreResponse, *pb.Label) bool) (done map[string]bool, torn int64, err error) {
	done = map[string]bool{}
	redo := map[string]bool{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return done, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var good, off int64 // end of the last good line; bytes read
	badLine, lineNo := 0, 0
	for {
		b, rerr := r.ReadBytes('\n')
		off += int64(len(b))
		if len(b) > 0 {
			lineNo++
			complete := b[len(b)-1] == '\n'
			if len(bytes.TrimSpace(b)) == 0 && complete {
				if badLine == 0 {
					good = off
				}
			} else if resp, label, perr := parseResult(b); perr == nil && complete {
				if badLine != 0 {
					return nil, 0, fmt.Errorf("%s line %d is not a result line, yet results follow it; fix or remove it", path, badLine)
				}
				good = off
				switch {
				case done[resp.ItemId] || redo[resp.ItemId]:
				case keep(resp, label):
					done[resp.ItemId] = true
				default:
					redo[resp.ItemId] = true
				}
			} else if badLine == 0 {
				badLine = lineNo
			}
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return nil, 0, rerr
		}
	}
	if off > good {
		if err := os.Truncate(path, good); err != nil {
			return nil, 0, fmt.Errorf("cutting the torn last line off %s: %w", path, err)
		}
	}
	if len(redo) > 0 {
		if err := dropResults(path, redo); err != nil {
			return nil, 0, fmt.Errorf("removing results to judge again from %s: %w", path, err)
		}
	}
	return done, off - good, nil
}

// dropResults rewrites path without the given items' lines: into a new
// file beside it, fsynced, then renamed over it, so a crash leaves either
// the old file or the new one.
func dropResults(path string, drop map[string]bool) error {
	src, err := os.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(path), ".eval-out-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	r, w := bufio.NewReaderSize(src, 1<<20), bufio.NewWriterSize(tmp, 1<<20)
	for {
		b, rerr := r.ReadBytes('\n')
		if len(b) > 0 {
			var line resultLine
			if json.Unmarshal(b, &line) != nil || !drop[line.ItemID] {
				w.Write(b)
			}
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			tmp.Close()
			return rerr
		}
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if fi, err := src.Stat(); err == nil {
		tmp.Chmod(fi.Mode().Perm())
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

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
