package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// strictJSON is the JSON codec of every handler. connect's default JSON
// codec discards unknown fields and unknown enum names, so a misspelt
// option ("allowTies", "ORDER_POLICY_SINGLEX") was judged with defaults,
// and stored, without a word. This one refuses both: connect answers the
// decoding error with InvalidArgument, and protojson's message names the
// field or value. Responses are written as connect writes them.
//
// Binary protobuf keeps proto's forward compatibility: a field the server
// does not know is carried as an unknown field, as every proto runtime does.
type strictJSON struct{ name string }

// strictJSONCodecs replaces both names connect registers for JSON.
func strictJSONCodecs() []connect.HandlerOption {
	return []connect.HandlerOption{
		connect.WithCodec(strictJSON{name: "json"}),
		connect.WithCodec(strictJSON{name: "json; charset=utf-8"}),
	}
}

var strictUnmarshal = protojson.UnmarshalOptions{DiscardUnknown: false}

func (c strictJSON) Name() string { return c.name }

func (c strictJSON) Marshal(m any) ([]byte, error) {
	pm, ok := m.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("%T is not a proto.Message", m)
	}
	return protojson.MarshalOptions{}.Marshal(pm)
}

func (c strictJSON) MarshalAppend(dst []byte, m any) ([]byte, error) {
	pm, ok := m.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("%T is not a proto.Message", m)
	}
	return protojson.MarshalOptions{}.MarshalAppend(dst, pm)
}

// MarshalStable is used by connect for GET requests' query encoding.
func (c strictJSON) MarshalStable(m any) ([]byte, error) {
	b, err := c.Marshal(m)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func (c strictJSON) IsBinary() bool { return false }

func (c strictJSON) Unmarshal(b []byte, m any) error {
	pm, ok := m.(proto.Message)
	if !ok {
		return fmt.Errorf("%T is not a proto.Message", m)
	}
	if len(b) == 0 {
		return errors.New("an empty body is not a JSON object")
	}
	if err := strictUnmarshal.Unmarshal(b, pm); err != nil {
		return fmt.Errorf("request JSON (unknown fields and enum names are refused, not ignored): %w", err)
	}
	return nil
}
