package eval

import (
	"encoding/json"
	"errors"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// resultLine is one line of the results file (Config.Results):
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

// ParseResult reads one line of a results file back: the service's
// response and the item's label (nil when it had none). It is exported
// for callers that analyse a results file after a run.
func ParseResult(b []byte) (*pb.ScoreResponse, *pb.Label, error) {
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
