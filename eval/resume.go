package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

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
			} else if resp, label, perr := ParseResult(b); perr == nil && complete {
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
