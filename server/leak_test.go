package server

import (
	"testing"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
)

// holmesItem is a role item whose candidates are Watson, Holmes and
// Lestrade; the target is the line whose speaker must stay hidden.
func holmesItem(target string, dialogue ...*pb.DialogueTurn) *pb.ScoreRequest {
	if dialogue == nil {
		dialogue = []*pb.DialogueTurn{{Speaker: "Watson", Text: "How on earth did you know that?"}}
	}
	return &pb.ScoreRequest{ItemId: "leak", Task: &pb.ScoreRequest_RoleIdentification{RoleIdentification: &pb.RoleIdentificationTask{
		Dialogue:        dialogue,
		TargetUtterance: target,
		Candidates: []*pb.CandidateRole{
			{Name: "Watson", Profile: "An army doctor, newly back in London."},
			{Name: "Holmes", Profile: "A consulting detective."},
			{Name: "Lestrade", Profile: "A Scotland Yard inspector."},
		},
	}}}
}

const afghanistan = "You have been in Afghanistan, I perceive."

// A target that names its speaker, however the tag is dressed, is refused:
// the judge would read the answer instead of judging. So is a dialogue
// turn that gives a candidate the target line itself.
func TestRoleRefusesDisguisedSpeakerTags(t *testing.T) {
	t.Parallel()
	const target = "role_identification.target_utterance"
	tests := []struct {
		name  string
		req   *pb.ScoreRequest
		field string
	}{
		{"says and a colon", holmesItem("Holmes says: " + afghanistan), target},
		{"said and a colon", holmesItem("Holmes said: " + afghanistan), target},
		{"replies, other case", holmesItem("HOLMES REPLIES: " + afghanistan), target},
		{"square brackets, no colon", holmesItem("[Holmes] " + afghanistan), target},
		{"parentheses, no colon", holmesItem("(Holmes) " + afghanistan), target},
		{"angle brackets", holmesItem("<Holmes> " + afghanistan), target},
		{"fullwidth brackets", holmesItem("【Holmes】" + afghanistan), target},
		{"zero-width space before the colon", holmesItem("Holmes\u200b: " + afghanistan), target},
		{"zero-width joiner inside the name", holmesItem("Hol\u200dmes: " + afghanistan), target},
		{"soft hyphen inside the name", holmesItem("Hol\u00admes: " + afghanistan), target},
		{"byte-order mark first", holmesItem("\ufeffHolmes: " + afghanistan), target},
		{"Cyrillic look-alikes", holmesItem("Ноlmes: " + afghanistan), target},
		{"Greek look-alikes", holmesItem("Ηοlmes: " + afghanistan), target},
		{"fullwidth letters", holmesItem("Ｈｏｌｍｅｓ: " + afghanistan), target},
		{"no-break space before the colon", holmesItem("Holmes\u00a0: " + afghanistan), target},
		{"stage direction", holmesItem("Holmes (smiling): " + afghanistan), target},
		{"markdown bold", holmesItem("**Holmes**: " + afghanistan), target},
		{"bracketed and says", holmesItem("[Holmes] says: " + afghanistan), target},
		{"dialogue turn of a candidate holds the target", holmesItem(afghanistan,
			&pb.DialogueTurn{Speaker: "Watson", Text: "Good morning."},
			&pb.DialogueTurn{Speaker: "Holmes", Text: afghanistan}), "role_identification.dialogue[1].text"},
		{"the same turn, disguised", holmesItem(afghanistan,
			&pb.DialogueTurn{Speaker: "Ноlmes", Text: "  you have been in\u200b Afghanistan,  I perceive. "}), "role_identification.dialogue[0].text"},
		{"a candidate's turn containing the target", holmesItem(afghanistan,
			&pb.DialogueTurn{Speaker: "[Holmes]", Text: "Indeed. " + afghanistan + " Your tan gives it away."}), "role_identification.dialogue[0].text"},
	}
	known := func(string) bool { return true }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, fe := validateScore(tt.req, known)
			if fe == nil {
				t.Fatalf("accepted; want %s refused", tt.field)
			}
			if fe.Field != tt.field {
				t.Fatalf("refused %s (%s), want %s", fe.Field, fe.Reason, tt.field)
			}
		})
	}
}

// Texts that only resemble a leak stay judgeable: a candidate named inside
// the text, speech reported without a tag, a bracket that holds no name, a
// candidate's short turn that the short target happens to appear in.
func TestRoleAcceptsNearLeaksAfterNormalization(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  *pb.ScoreRequest
	}{
		{"reported speech", holmesItem("Holmes says we leave at dawn.")},
		{"a name inside", holmesItem("Ask Holmes: he will know.")},
		{"a longer word", holmesItem("Holmesian: that is what they call it.")},
		{"a bracketed note", holmesItem("[aside] Holmes is late again.")},
		{"a non-candidate said the line", holmesItem(afghanistan, &pb.DialogueTurn{Speaker: "Narrator", Text: afghanistan})},
		{"a candidate said something else", holmesItem(afghanistan, &pb.DialogueTurn{Speaker: "Holmes", Text: "Dr Watson, Mr Sherlock Holmes."})},
		{"a short target inside a candidate's turn", holmesItem("No.", &pb.DialogueTurn{Speaker: "Holmes", Text: "No. Not at all."})},
	}
	known := func(string) bool { return true }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, fe := validateScore(tt.req, known); fe != nil {
				t.Fatalf("refused: %v", fe)
			}
		})
	}
}
