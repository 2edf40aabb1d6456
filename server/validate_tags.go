package server

import (
	"slices"
	"strconv"
)

// Tag limits: enough for a track, a tier, a source and an agent with room
// to spare, small enough that tags never weigh more than the item.
const (
	MaxTags          = 16
	MaxTagKeyBytes   = 64
	MaxTagValueBytes = 256
)

// validateTags checks a request's tags, naming the offending key. Keys are
// checked in sorted order so the error is the same on every call.
func validateTags(tags map[string]string) *fieldError {
	if len(tags) > MaxTags {
		return badField("tags", "at most %d tags, got %d", MaxTags, len(tags))
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		field := "tags[" + strconv.Quote(clip(k, MaxTagKeyBytes)) + "]"
		if k == "" || len(k) > MaxTagKeyBytes {
			return badField(field, "a tag key is 1 to %d bytes, got %d", MaxTagKeyBytes, len(k))
		}
		for _, r := range k {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
				return badField(field, "a tag key holds only lower-case letters, digits, '_', '-' and '.'; %q is not one", r)
			}
		}
		if err := checkText(field, tags[k], MaxTagValueBytes, false); err != nil {
			return err
		}
	}
	return nil
}
