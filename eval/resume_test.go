package eval

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

func resultBytes(t *testing.T, id string) []byte {
	t.Helper()
	b, err := marshalResult(&pb.ScoreResponse{ItemId: id, Status: pb.JudgmentStatus_JUDGMENT_STATUS_VERDICT,
		Verdict: &pb.Verdict{Choice: proto.Int32(1)}}, &pb.Label{Choice: proto.Int32(1)}, proto.Bool(true))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLoadResults(t *testing.T) {
	t.Parallel()
	a, b := resultBytes(t, "a"), resultBytes(t, "b")
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	for _, tc := range []struct {
		name     string
		file     []byte
		wantIDs  []string
		wantKeep []byte // the file after loading; nil: unchanged
		wantErr  string
	}{
		{"empty", nil, nil, nil, ""},
		{"complete lines", cat(a, b), []string{"a", "b"}, nil, ""},
		{"blank lines are fine", cat(a, []byte("\n"), b), []string{"a", "b"}, nil, ""},
		{"torn last line", cat(a, b[:len(b)/2]), []string{"a"}, a, ""},
		{"last line without its newline", cat(a, b[:len(b)-1]), []string{"a"}, a, ""},
		{"unreadable last line with a newline", cat(a, []byte("{\"itemId\":\"b\",\"res\n")), []string{"a"}, a, ""},
		{"torn line then blank", cat(a, []byte("{\"item\n\n")), []string{"a"}, a, ""},
		{"duplicate is counted once", cat(a, a), []string{"a"}, nil, ""},
		{"unreadable line before good ones", cat([]byte("garbage\n"), a), nil, nil, "line 1 is not a result line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "out.jsonl")
			if tc.file != nil {
				os.WriteFile(path, tc.file, 0o644)
			}
			var seen []string
			done, _, err := loadResults(path, func(r *pb.ScoreResponse, l *pb.Label) bool {
				seen = append(seen, r.ItemId)
				if l.GetChoice() != 1 {
					t.Errorf("label %v not read back", l)
				}
				return true
			})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(seen, ",") != strings.Join(tc.wantIDs, ",") || len(done) != len(tc.wantIDs) {
				t.Fatalf("read %v (done %v), want %v", seen, done, tc.wantIDs)
			}
			after, _ := os.ReadFile(path)
			want := tc.wantKeep
			if want == nil {
				want = tc.file
			}
			if !bytes.Equal(after, want) {
				t.Fatalf("file after load:\n%q\nwant\n%q", after, want)
			}
		})
	}
}

// Appended results after a torn line land on a clean line of their own.
func TestResultWriterAppendsAfterCut(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "out.jsonl")
	a, b := resultBytes(t, "a"), resultBytes(t, "b")
	os.WriteFile(path, append(bytes.Clone(a), b[:10]...), 0o644)
	if _, _, err := loadResults(path, func(*pb.ScoreResponse, *pb.Label) bool { return true }); err != nil {
		t.Fatal(err)
	}
	w, err := openResults(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	done, torn, err := loadResults(path, func(*pb.ScoreResponse, *pb.Label) bool { return true })
	if err != nil || torn != 0 || !done["a"] || !done["b"] {
		t.Fatalf("done %v torn %d err %v", done, torn, err)
	}
}

func TestLoadResultsDropsRejected(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "out.jsonl")
	failed, err := marshalResult(&pb.ScoreResponse{ItemId: "b", Status: pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, c := resultBytes(t, "a"), resultBytes(t, "c")
	os.WriteFile(path, bytes.Join([][]byte{a, failed, c}, nil), 0o600)
	done, _, err := loadResults(path, func(r *pb.ScoreResponse, _ *pb.Label) bool {
		return r.Status != pb.JudgmentStatus_JUDGMENT_STATUS_JUDGE_ERROR
	})
	if err != nil || len(done) != 2 || !done["a"] || !done["c"] {
		t.Fatalf("done %v err %v", done, err)
	}
	after, _ := os.ReadFile(path)
	if want := bytes.Join([][]byte{a, c}, nil); !bytes.Equal(after, want) {
		t.Fatalf("file after dropping:\n%q\nwant\n%q", after, want)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want the original 0600", fi.Mode().Perm())
	}
}
