package importers

import (
	"strings"
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

// Columns in any order, a byte-order mark and padded header names, optional
// columns present or blank.
func TestReadGenericCSV(t *testing.T) {
	t.Parallel()
	in := "\ufeffcorrect, Certainty ,profile,options,position_consistency,logprob_confidence\n" +
		"1,90,judge/x,2,0.5,0.75\n" +
		"false,60.5,judge/x,,,\n" +
		"TRUE,1,judge/y,4,1,\n"
	got, err := ReadGenericCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []*pb.RawOutcome{
		{Profile: "judge/x", Certainty: 90, Correct: true, Options: 2, PositionConsistency: proto.Float64(0.5), LogprobConfidence: proto.Float64(0.75)},
		{Profile: "judge/x", Certainty: 60.5},
		{Profile: "judge/y", Certainty: 1, Correct: true, Options: 4, PositionConsistency: proto.Float64(1)},
	}
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i := range want {
		if !proto.Equal(got[i], want[i]) {
			t.Errorf("record %d = %v, want %v", i, got[i], want[i])
		}
	}
	// A header alone is no error: there is nothing to import.
	if got, err := ReadGenericCSV(strings.NewReader("profile,certainty,correct\n")); err != nil || len(got) != 0 {
		t.Errorf("header only: %d records, %v", len(got), err)
	}
}

// A bad row fails the whole file, naming its line.
func TestReadGenericCSVRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, csv, want string
	}{
		{"certainty out of range", "profile,certainty,correct\np,80,1\np,101,0\n", "line 3: certainty"},
		{"certainty NA", "profile,certainty,correct\np,NA,1\n", "line 2: certainty"},
		{"bad correct", "profile,certainty,correct\np,80,maybe\n", "line 2: correct"},
		{"missing column", "profile,certainty\np,80\n", `no "correct" column`},
		{"empty profile", "profile,certainty,correct\n,80,1\n", "line 2: profile"},
		{"one option", "profile,certainty,correct,options\np,80,1,1\n", "line 2: options"},
		{"consistency above 1", "profile,certainty,correct,position_consistency\np,80,1,1.5\n", "line 2: position_consistency"},
		{"logprob not a number", "profile,certainty,correct,logprob_confidence\np,80,1,high\n", "line 2: logprob_confidence"},
		{"empty file", "", "CSV header"},
		{"unbalanced quote", "profile,certainty,correct\n\"p,80,1\n", "extraneous or missing"},
	}
	for _, tt := range tests {
		got, err := ReadGenericCSV(strings.NewReader(tt.csv))
		if err == nil || !strings.Contains(err.Error(), tt.want) || got != nil {
			t.Errorf("%s: %d records, err = %v, want %q", tt.name, len(got), err, tt.want)
		}
	}
}

// pjFixture has one row of each kind the reader must tell apart.
const pjFixture = `source_file,task,setting,persona_features,judge_model,row,pair_key,ground_truth,answer,certainty,correct,len_a,len_b
f1.jsonl,PR,with_persona_certainty,all,m1,0,k0,A,A,85,1,10,10
f1.jsonl,PR,with_persona_certainty,all,m1,1,k1,B,A,79,0,10,10
f1.jsonl,PR,with_persona_certainty,all,m1,2,k2,B,,,0,10,10
f1.jsonl,PR,with_persona_certainty,all,m1,3,k3,B,[,90,0,10,10
f2.jsonl,EC,with_persona_certainty,all,m2,0,k4,A,B,NA,0,10,10
f2.jsonl,EC,with_persona_certainty,all,m2,1,k5,A,A,120,1,10,10
f2.jsonl,EC,with_persona_certainty,all,m2,2,k6,A,A,0,1,10,10
f3.jsonl,EC,with_tie,all,m2,0,k7,C,C,NA,1,10,10
f4.jsonl,EC,no_persona,all,m2,0,k8,A,A,7,1,10,10
`

func TestReadPersonalizedJudge(t *testing.T) {
	t.Parallel()
	type rec struct {
		file, profile string
		certainty     float64
		correct       bool
	}
	tests := []struct {
		na        string
		want      []rec
		wantStats PJStats
	}{
		{NALowest, []rec{
			{"f1.jsonl", "PR/m1", 85, true}, {"f1.jsonl", "PR/m1", 79, false},
			{"f2.jsonl", "EC/m2", 1, false}, {"f2.jsonl", "EC/m2", 100, true}, {"f2.jsonl", "EC/m2", 1, true},
		}, PJStats{Rows: 9, Kept: 5, OtherSetting: 2, NotAB: 2, NA: 1, Clamped: 2}},
		{NASkip, []rec{
			{"f1.jsonl", "PR/m1", 85, true}, {"f1.jsonl", "PR/m1", 79, false},
			{"f2.jsonl", "EC/m2", 100, true}, {"f2.jsonl", "EC/m2", 1, true},
		}, PJStats{Rows: 9, Kept: 4, OtherSetting: 2, NotAB: 2, NASkipped: 1, Clamped: 2}},
	}
	for _, tt := range tests {
		rows, st, err := ReadPersonalizedJudge(strings.NewReader(pjFixture), tt.na)
		if err != nil {
			t.Fatalf("%s: %v", tt.na, err)
		}
		if st != tt.wantStats {
			t.Errorf("%s: stats %+v, want %+v", tt.na, st, tt.wantStats)
		}
		if len(rows) != len(tt.want) {
			t.Fatalf("%s: %d rows, want %d", tt.na, len(rows), len(tt.want))
		}
		for i, w := range tt.want {
			r := rows[i]
			if r.SourceFile != w.file || r.Record.Profile != w.profile || r.Record.Certainty != w.certainty ||
				r.Record.Correct != w.correct || r.Record.Options != 2 {
				t.Errorf("%s: row %d = %s %v, want %+v", tt.na, i, r.SourceFile, r.Record, w)
			}
		}
	}
	if _, _, err := ReadPersonalizedJudge(strings.NewReader(pjFixture), "zero"); err == nil {
		t.Error("an unknown NA policy was accepted")
	}
	bad := strings.Replace(pjFixture, "A,A,85,1,", "A,A,85,yes,", 1)
	if _, _, err := ReadPersonalizedJudge(strings.NewReader(bad), NALowest); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad correct flag: %v", err)
	}
	noModel := strings.Replace(pjFixture, "all,m1,0,", "all,,0,", 1)
	if _, _, err := ReadPersonalizedJudge(strings.NewReader(noModel), NALowest); err == nil || !strings.Contains(err.Error(), "line 2: task or judge_model") {
		t.Errorf("empty judge_model: %v", err)
	}
	if _, _, err := ReadPersonalizedJudge(strings.NewReader("task,setting\n"), NALowest); err == nil || !strings.Contains(err.Error(), `no "source_file" column`) {
		t.Errorf("missing columns: %v", err)
	}
}
