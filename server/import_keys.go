package server

import (
	"errors"
	"fmt"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/store"
)

// MaxItemKeyBytes bounds an imported record's item key.
const MaxItemKeyBytes = 256

// checkKeyedOutcome checks the item key, choice and model of one imported
// record: a keyed record must say which model made it, so that a cascade
// stage can find it.
func checkKeyedOutcome(field string, r *pb.RawOutcome) *fieldError {
	if fe := checkText(field+".item_key", r.ItemKey, MaxItemKeyBytes, false); fe != nil {
		return fe
	}
	if fe := checkText(field+".model", r.Model, MaxItemKeyBytes, r.ItemKey != ""); fe != nil {
		return fe
	}
	if r.Choice != nil && (*r.Choice < 0 || *r.Choice >= max(r.Options, 2)) {
		return badField(field+".choice", "must be an option index below %d, got %d", max(r.Options, 2), *r.Choice)
	}
	return nil
}

// keyCollision is the field error for a record whose item key already
// holds a different record of its profile and model, or nil.
func keyCollision(err error) *fieldError {
	var ce *store.KeyCollisionError
	if !errors.As(err, &ce) {
		return nil
	}
	return badField(fmt.Sprintf("records[%d].item_key", ce.Index),
		"item key %q already holds a different record of this profile and model (earlier in the import or stored before); nothing was imported", clip(ce.Key, 64))
}
