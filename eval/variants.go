package eval

import (
	"errors"
	"fmt"
	"slices"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/proto"
)

// expandVariants turns a preference item with personaVariants (the
// persona-feature ablation: {"all": ..., "key": ..., "least": ...}) into
// sibling items, one per variant, item id "ID#VARIANT", tagged
// persona_variant=VARIANT, each showing that variant's persona. An empty
// persona is the no-persona control (without_persona). The summary
// reports the variants side by side.
func expandVariants(it Item, variants map[string]string) ([]Item, error) {
	pref := it.Request.GetPreference()
	if pref == nil {
		return nil, errors.New("personaVariants apply to preference items only")
	}
	if len(variants) == 0 {
		return nil, errors.New("personaVariants is empty")
	}
	names := make([]string, 0, len(variants))
	for name := range variants {
		if name == "" {
			return nil, errors.New("personaVariants: a variant needs a name")
		}
		names = append(names, name)
	}
	slices.Sort(names)
	out := make([]Item, 0, len(names))
	for _, name := range names {
		req := proto.Clone(it.Request).(*pb.ScoreRequest)
		req.ItemId = fmt.Sprintf("%s#%s", it.Request.ItemId, name)
		p := req.GetPreference()
		p.Persona, p.WithoutPersona = variants[name], variants[name] == ""
		if req.Tags == nil {
			req.Tags = map[string]string{}
		}
		req.Tags[PersonaVariantTag] = name
		out = append(out, Item{Request: req, Label: it.Label})
	}
	return out, nil
}
