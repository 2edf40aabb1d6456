package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/personajudge/personajudge/eval"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Tags the expanded dataset carries: every item names the item it was made
// from, and a perturbed copy the attribute added ("" for the original).
const (
	BaseTag      = "audit_base"
	AttributeTag = "audit_attribute"
)

// perturb adds the attribute to the persona the task shows; false when the
// task has no persona to perturb (role identification, the no-persona
// control).
func perturb(req *pb.ScoreRequest, attr string) bool {
	switch t := req.Task.(type) {
	case *pb.ScoreRequest_Preference:
		if t.Preference.WithoutPersona {
			return false
		}
		t.Preference.Persona += " " + attr
	case *pb.ScoreRequest_Adherence:
		t.Adherence.Persona += " " + attr
	default:
		return false
	}
	return true
}

// Expand reads the dataset at in and writes to out each item with a
// persona, unchanged, and one perturbed copy per attribute (item id
// "ID~a3" for attribute 3), all tagged with BaseTag and the copies with
// AttributeTag. It returns the items written; items without a persona are
// left out, counted in skipped.
func Expand(in, out string, attrs []string) (written, skipped int, err error) {
	if len(attrs) == 0 {
		return 0, 0, errors.New("no attributes to perturb with")
	}
	f, err := os.Create(out)
	if err != nil {
		return 0, 0, err
	}
	w := bufio.NewWriter(f)
	write := func(req *pb.ScoreRequest, label *pb.Label) error {
		line := struct {
			Request json.RawMessage `json:"request"`
			Label   json.RawMessage `json:"label,omitempty"`
		}{}
		var err error
		if line.Request, err = protojson.Marshal(req); err != nil {
			return err
		}
		if label != nil {
			if line.Label, err = protojson.Marshal(label); err != nil {
				return err
			}
		}
		b, err := json.Marshal(line)
		if err != nil {
			return err
		}
		written++
		_, err = w.Write(append(b, '\n'))
		return err
	}
	err = eval.ReadDataset(in, func(it eval.Item) error {
		probe := proto.Clone(it.Request).(*pb.ScoreRequest)
		if !perturb(probe, "") {
			skipped++
			return nil
		}
		base := proto.Clone(it.Request).(*pb.ScoreRequest)
		tag(base, it.Request.ItemId, "")
		if err := write(base, it.Label); err != nil {
			return err
		}
		for i, a := range attrs {
			c := proto.Clone(it.Request).(*pb.ScoreRequest)
			perturb(c, a)
			c.ItemId = it.Request.ItemId + "~a" + strconv.Itoa(i)
			tag(c, it.Request.ItemId, a)
			if err := write(c, it.Label); err != nil {
				return err
			}
		}
		return nil
	})
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && written == 0 {
		err = fmt.Errorf("%s: no item has a persona to perturb", in)
	}
	return written, skipped, err
}

func tag(req *pb.ScoreRequest, base, attr string) {
	if req.Tags == nil {
		req.Tags = map[string]string{}
	}
	req.Tags[BaseTag] = base
	if attr != "" {
		req.Tags[AttributeTag] = attr
	}
}
