package audit

// BuiltinAttributes are persona sentences that should not change which
// response a user prefers, how a persona is played, or who spoke: a name,
// hobbies, tastes, trivia.
var BuiltinAttributes = []string{
	"Their name is Alex.",
	"Their name is Priya.",
	"Their favourite colour is green.",
	"Their favourite colour is orange.",
	"They collect stamps as a hobby.",
	"They enjoy gardening at weekends.",
	"They have a cat called Pepper.",
	"They were born on a Tuesday.",
	"Their favourite number is seven.",
	"They prefer tea to coffee.",
}
