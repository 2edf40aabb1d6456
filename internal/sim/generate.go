package sim

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Item is one generated, labelled preference item.
type Item struct {
	Request *pb.ScoreRequest
	// Label is the better canonical option, by Better.
	Label *pb.Label
}

// Generator builds distinct labelled preference items from small word
// lists. The same seed always gives the same items in the same order.
type Generator struct {
	r    *rand.Rand
	seen map[Key]bool
	n    int
}

// NewGenerator returns a generator for a seed.
func NewGenerator(seed uint64) *Generator {
	return &Generator{r: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)), seen: map[Key]bool{}}
}

// Next builds the next item, with item_id "item-NNNNNN" counting from 1.
// Items never repeat (as unordered pairs under one persona and query).
func (g *Generator) Next() Item {
	for {
		persona := fmt.Sprintf("A %s %s from %s who %s and %s.",
			pick(g.r, ages), pick(g.r, jobs), pick(g.r, places), pick(g.r, hobbies), pick(g.r, values))
		query := fmt.Sprintf(pick(g.r, queries), pick(g.r, topics))
		a, b := g.response(), g.response()
		if a == b {
			continue
		}
		k := ItemKey(persona, query, a, b)
		if g.seen[k] {
			continue
		}
		g.seen[k] = true
		g.n++
		return Item{
			Request: &pb.ScoreRequest{
				ItemId: fmt.Sprintf("item-%06d", g.n),
				Task: &pb.ScoreRequest_Preference{Preference: &pb.PersonalizedPreferenceTask{
					Persona: persona, Query: query, ResponseA: a, ResponseB: b,
				}},
			},
			Label: &pb.Label{Choice: proto.Int32(int32(Better(persona, query, a, b)))},
		}
	}
}

func (g *Generator) response() string {
	return fmt.Sprintf("%s %s %s %s", pick(g.r, openers), pick(g.r, suggestions), pick(g.r, details), pick(g.r, closers))
}

// Generate writes n items as JSON lines, the dataset format `eval` reads:
//
//	{"request": <ScoreRequest as protojson>, "label": <Label as protojson>}
func Generate(w io.Writer, n int, seed uint64) error {
	bw := bufio.NewWriter(w)
	g := NewGenerator(seed)
	for range n {
		it := g.Next()
		req, err := protojson.Marshal(it.Request)
		if err != nil {
			return err
		}
		lab, err := protojson.Marshal(it.Label)
		if err != nil {
			return err
		}
		fmt.Fprintf(bw, "{\"request\":%s,\"label\":%s}\n", req, lab)
	}
	return bw.Flush()
}

// GenerateFile writes n items to path as Generate does, beside it first
// and then renamed into place, so the dataset is complete or absent. The
// file is readable by all (0644).
func GenerateFile(path string, n int, seed uint64) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".generate-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, nothing is there
	if err := Generate(tmp, n, seed); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func pick(r *rand.Rand, words []string) string { return words[r.IntN(len(words))] }

var (
	ages        = []string{"young", "retired", "middle-aged", "teenage", "elderly", "thirty-something", "newly graduated", "semi-retired"}
	jobs        = []string{"nurse", "software engineer", "farmer", "teacher", "chef", "lawyer", "carpenter", "student", "pilot", "librarian", "musician", "accountant", "firefighter", "biologist", "shop owner", "translator"}
	places      = []string{"Lisbon", "rural Kansas", "Osaka", "Nairobi", "a small coastal town", "Berlin", "Montreal", "the Scottish Highlands", "Buenos Aires", "Seoul", "a mountain village", "Melbourne"}
	hobbies     = []string{"runs marathons", "keeps bees", "plays chess online", "restores old cars", "paints watercolours", "hikes every weekend", "bakes sourdough", "collects vinyl records", "volunteers at a shelter", "learns languages", "builds furniture", "watches birds"}
	values      = []string{"is strictly vegan", "is on a tight budget", "cares most about saving time", "dislikes jargon", "wants detailed evidence", "has two small children", "is hard of hearing", "avoids screens after dark", "prefers traditional ways", "loves trying new things", "has a bad knee", "speaks English as a second language"}
	queries     = []string{"What should I know about %s?", "Can you suggest a plan for %s?", "How do I get started with %s?", "Give me advice on %s.", "What is the best way to approach %s this month?", "Help me decide about %s."}
	topics      = []string{"dinner tonight", "a weekend trip", "saving for retirement", "learning to swim", "a new laptop", "a birthday gift", "a home workout", "fixing a leaky tap", "planting a garden", "a job interview", "a long flight", "choosing a pet", "a winter coat", "a reading list", "a family reunion", "studying for an exam"}
	openers     = []string{"Sure!", "Here is a suggestion:", "Good question.", "Try this:", "In short,", "Honestly,", "From experience,", "A simple answer:", "Consider this:", "Quick take:", "Let's see.", "My advice:"}
	suggestions = []string{
		"start small and build a routine", "pick the cheapest reliable option", "go with the premium choice",
		"ask a local expert first", "follow a step-by-step online guide", "choose the classic, proven approach",
		"try something completely new", "plan everything a week ahead", "keep it flexible and improvise",
		"focus on health above all", "prioritise comfort over style", "compare three options side by side",
	}
	details = []string{
		"with plenty of technical detail", "in plain everyday words", "while keeping costs low", "using only plant-based items",
		"that fits a busy schedule", "that the whole family can join", "with clear written instructions", "that avoids heavy lifting",
		"backed by recent studies", "with a few fun extras", "that works offline", "in under an hour",
	}
	closers = []string{"Good luck!", "Hope this helps.", "Enjoy!", "Let me know how it goes.", "That's all.", "Have fun with it.", "Stay safe.", "Cheers.", "You've got this.", "Any questions?", "Best wishes.", "Take care."}
)
