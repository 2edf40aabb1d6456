package main

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

func TestParseDatasetLine(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		wantLabel  bool
		wantErr    string
	}{
		{"labelled", `{"request":{"itemId":"x","preference":{"persona":"p","query":"q","responseA":"a","responseB":"b"}},"label":{"choice":1}}`, true, ""},
		{"unlabelled", `{"request":{"item_id":"x","preference":{"persona":"p"}}}`, false, ""},
		{"null label", `{"request":{"itemId":"x"},"label":null}`, false, ""},
		{"extra fields are ignored", `{"request":{"itemId":"x"},"source":"hand-made"}`, false, ""},
		{"no request", `{"label":{"choice":1}}`, false, `no "request"`},
		{"no item id", `{"request":{"preference":{}}}`, false, "itemId must be set"},
		{"bad request field", `{"request":{"itemId":"x","persona":"p"}}`, false, "request:"},
		{"bad label", `{"request":{"itemId":"x"},"label":{"choice":"one"}}`, false, "label:"},
		{"not JSON", `request=x`, false, "invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it, err := parseDatasetLine([]byte(tc.line))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || it.req.ItemId != "x" || (it.label != nil) != tc.wantLabel {
				t.Fatalf("item %v label %v err %v", it.req, it.label, err)
			}
		})
	}
}

func TestCountTodoRejectsDuplicateIDs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.jsonl")
	line := `{"request":{"itemId":"x"}}` + "\n"
	os.WriteFile(path, []byte(line+line), 0o644)
	if _, _, err := countTodo(path, nil); err == nil || !strings.Contains(err.Error(), "appears twice") {
		t.Fatalf("err %v", err)
	}
	os.WriteFile(path, []byte(line+"\n"+`{"request":{"itemId":"y"}}`), 0o644)
	todo, skipped, err := countTodo(path, map[string]bool{"x": true})
	if err != nil || todo != 1 || skipped != 1 {
		t.Fatalf("todo %d skipped %d err %v", todo, skipped, err)
	}
}

func TestEvalFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
		check   func(t *testing.T, o evalOptions)
	}{
		{"order and cache overrides", []string{"--in", "i", "--out", "o", "--order-policy", "single", "--cache", "bypass"}, "", func(t *testing.T, o evalOptions) {
			if o.orderPolicy != pb.OrderPolicy_ORDER_POLICY_SINGLE || o.cache != pb.CachePolicy_CACHE_POLICY_BYPASS {
				t.Errorf("order %v cache %v", o.orderPolicy, o.cache)
			}
		}},
		{"simulator flags with --local", []string{"--local", "--in", "i", "--out", "o", "--accuracy", "0.7", "--latency-dist", "uniform", "--latency", "1ms", "--latency-max", "3ms"}, "", func(t *testing.T, o evalOptions) {
			if o.localOpts.sim.Accuracy != 0.7 || o.localOpts.sim.Latency.Max.Milliseconds() != 3 {
				t.Errorf("sim config %+v", o.localOpts.sim)
			}
		}},
		{"in and out required", []string{"--in", "i"}, "required", nil},
		{"unknown order policy", []string{"--in", "i", "--out", "o", "--order-policy", "random"}, "unknown value", nil},
		{"unspecified is not a choice", []string{"--in", "i", "--out", "o", "--cache", "unspecified"}, "unknown value", nil},
		{"simulator flags need --local", []string{"--in", "i", "--out", "o", "--rate-429", "0.1"}, "--rate-429 only apply with --local", nil},
		{"simulator flags clash with --models", []string{"--local", "--models", "m.json", "--in", "i", "--out", "o", "--accuracy", "0.7"}, "--accuracy", nil},
		{"--db needs --local", []string{"--db", "x.db", "--in", "i", "--out", "o"}, "--db", nil},
		{"bad simulator config", []string{"--local", "--in", "i", "--out", "o", "--accuracy", "2"}, "accuracy must be within", nil},
		{"bad progress", []string{"--in", "i", "--out", "o", "--progress", "fancy"}, "--progress", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parseEvalFlags(tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, o)
		})
	}
}

func TestOverrideJudgeLeavesOtherFields(t *testing.T) {
	orig := &pb.JudgeConfig{Models: []string{"m"}, AllowTie: true}
	req := &pb.ScoreRequest{Judge: orig}
	overrideJudge(req, pb.OrderPolicy_ORDER_POLICY_SINGLE, 0)
	if req.Judge.OrderPolicy != pb.OrderPolicy_ORDER_POLICY_SINGLE || !req.Judge.AllowTie || req.Judge.Models[0] != "m" || req.Judge.Cache != 0 {
		t.Fatalf("judge %v", req.Judge)
	}
	if orig.OrderPolicy != 0 {
		t.Fatal("the caller's config was modified in place")
	}
	bare := &pb.ScoreRequest{}
	overrideJudge(bare, 0, 0)
	if bare.Judge != nil {
		t.Fatal("no override should leave no judge config")
	}
}

func TestProgressLine(t *testing.T) {
	var buf bytes.Buffer
	p := startProgress(&buf, "bar", 0, 200)
	for range 50 {
		p.add()
	}
	p.finish()
	out := buf.String()
	if !strings.HasPrefix(out, "\r[======") || !strings.Contains(out, "50/200 (25.0%)") || !strings.HasSuffix(out, "\n") {
		t.Fatalf("bar output %q", out)
	}
	buf.Reset()
	p = startProgress(&buf, "lines", 0, 10)
	p.show()
	p.finish()
	if out := buf.String(); !strings.HasPrefix(out, "eval: 0/10 (0.0%)") || strings.Contains(out, "\r") {
		t.Fatalf("lines output %q", out)
	}
}

func TestLoadResultsDropsRejected(t *testing.T) {
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
