package judges

import (
	"strings"
	"testing"
)

// The no-persona control is its own judge profile and its own cache entry,
// and its prompt shows no persona.
func TestPreferenceWithoutPersona(t *testing.T) {
	t.Parallel()
	with := &Preference{Item: prefTestItem(), AllowTie: true}
	ctl := prefTestItem()
	ctl.Persona, ctl.WithoutPersona = "", true
	control := &Preference{Item: ctl, AllowTie: true}
	if got := control.PromptVersion(); got != PreferencePromptVersion+"+tie+nopersona" {
		t.Errorf("control prompt version %q", got)
	}
	if with.PromptVersion() != PreferencePromptVersion+"+tie" {
		t.Errorf("persona prompt version %q", with.PromptVersion())
	}
	// Same query and responses, one flag apart: different items.
	plain := prefTestItem()
	plain.Persona = ""
	if control.Digest() == (&Preference{Item: plain, AllowTie: true}).Digest() {
		t.Error("without_persona does not enter the item digest")
	}
	sys, user := control.Prompt([]int{0, 1}, NewFence())
	if strings.Contains(user, "Persona") || strings.Contains(sys, "persona") || !strings.Contains(user, ctl.Query) || !strings.Contains(sys, "typical user") {
		t.Errorf("control prompt:\n%s\n%s", sys, user)
	}
}
