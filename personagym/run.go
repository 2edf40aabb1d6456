package personagym

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/personajudge/personajudge/clients"
	"github.com/personajudge/personajudge/eval"
	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/judges"
	"golang.org/x/sync/errgroup"
)

// Files of a run directory.
const (
	AnswersFile   = "answers.jsonl"
	ExamplesFile  = "examples.jsonl"
	QuestionsFile = "questions.jsonl"
	ItemsFile     = "items.jsonl"
	ResultsFile   = "results.jsonl"
	SummaryFile   = "summary.json"
)

// item is one question put to the agent.
type item struct {
	id       string
	persona  int
	task     pb.AdherenceTaskKind
	question string
}

func itemID(persona int, task pb.AdherenceTaskKind, q int) string {
	return fmt.Sprintf("p%03d.%s.q%02d", persona, taskCodes[task], q)
}

// ItemError is an item that could not be prepared (the generator's answer
// never had the asked-for shape); it is reported, not judged, and asked
// again on the next run.
type ItemError struct {
	ItemID string `json:"itemId"`
	Error  string `json:"error"`
}

// Run runs the benchmark over the personas file into dir; see the package
// comment for the files. Running it again with the same inputs resumes: no
// item is judged twice and no cached answer or example is asked for again.
func Run(ctx context.Context, personasPath, dir string, opts ...Option) (*Summary, error) {
	cfg := defaults()
	for _, o := range opts {
		o(&cfg)
	}
	personas, err := ReadPersonas(personasPath)
	if err != nil {
		return nil, err
	}
	if err := cfg.check(personas); err != nil {
		return nil, err
	}
	// Ask the first item's questions, answer and examples before anything
	// is written, so an unreachable endpoint or a misconfigured model fails
	// at once with one message and leaves nothing behind. A rerun finds them
	// in the caches instead.
	probe, err := cfg.probe(ctx, personas[0], dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	p, err := openPrep(dir)
	if err != nil {
		return nil, err
	}
	defer p.close()
	if err := probe.save(p); err != nil {
		return nil, err
	}
	start := time.Now()
	items, err := cfg.questions(ctx, p, personas)
	if err != nil {
		return nil, err
	}
	reqs, itemErrs, err := cfg.prepare(ctx, p, personas, items)
	if err != nil {
		return nil, err
	}
	if err := writeDataset(filepath.Join(dir, ItemsFile), reqs); err != nil {
		return nil, err
	}
	fmt.Fprintf(cfg.log, "personagym: %d items prepared (%d not: see the summary) in %s\n", len(reqs), len(itemErrs), time.Since(start).Round(time.Millisecond))
	progress := eval.ProgressOff
	if cfg.progressEvery > 0 {
		progress = eval.ProgressLines
	}
	judgeStart := time.Now()
	es, runErr := eval.Run(ctx, eval.Config{
		Dataset: filepath.Join(dir, ItemsFile), Results: filepath.Join(dir, ResultsFile),
		Addr: cfg.addr, HTTPClient: cfg.httpClient, ClientOptions: cfg.clientOpts,
		InFlight: cfg.inFlight, Progress: progress, ProgressEvery: cfg.progressEvery,
		Log: cfg.log, Report: cfg.log,
	})
	if runErr != nil {
		return nil, runErr
	}
	results, err := ReadResults(filepath.Join(dir, ResultsFile))
	if err != nil {
		return nil, err
	}
	s := SummarizeResults(results, personas, cfg.seed, cfg.samples)
	s.ItemErrors = itemErrs
	s.JudgedThisRun, s.JudgeWall = es.Judged, time.Since(judgeStart).Seconds()
	s.AgentCalls, s.GeneratorCalls = p.agentCalls.Load(), p.generatorCalls.Load()
	s.Wall = time.Since(start).Seconds()
	if err := s.WriteJSON(filepath.Join(dir, SummaryFile)); err != nil {
		return nil, err
	}
	s.Print(cfg.report)
	if cfg.recordName != "" {
		id, err := RecordRun(ctx, cfg.addr, cfg.httpClient, cfg.recordName, cfg.recordAgent, results, cfg.clientOpts...)
		if err != nil {
			return s, err
		}
		fmt.Fprintf(cfg.report, "personagym: run recorded as %s (%q)\n", id, cfg.recordName)
	}
	return s, nil
}

func (c *config) check(personas []Persona) error {
	switch {
	case c.agent == nil:
		return errors.New("personagym: no agent configured")
	case c.addr == "" || c.httpClient == nil:
		return errors.New("personagym: no judge service configured")
	case c.examples && c.generator == nil:
		return errors.New("personagym: score examples need a generator model (or turn them off)")
	}
	for _, p := range personas {
		if p.Questions == nil && c.generator == nil {
			return fmt.Errorf("personagym: the persona on line %d has no questions, and no generator model is configured to write them", p.Line)
		}
	}
	return nil
}

// prep holds a run's caches and its call counters.
type prep struct {
	answers, examples, questions *fileCache
	agentCalls, generatorCalls   atomic.Int64
}

func openPrep(dir string) (*prep, error) {
	var p prep
	var err error
	if p.answers, err = openCache(filepath.Join(dir, AnswersFile)); err != nil {
		return nil, err
	}
	if p.examples, err = openCache(filepath.Join(dir, ExamplesFile)); err != nil {
		p.answers.close()
		return nil, err
	}
	if p.questions, err = openCache(filepath.Join(dir, QuestionsFile)); err != nil {
		p.answers.close()
		p.examples.close()
		return nil, err
	}
	return &p, nil
}

func (p *prep) close() error {
	return errors.Join(p.answers.close(), p.examples.close(), p.questions.close())
}

// Cache keys: what produced the text and what it was asked.
func (c *config) answerKey(persona, question string) string {
	return cacheKey("answer", c.agent.id, persona, question)
}

func (c *config) examplesKey(persona string, task pb.AdherenceTaskKind, question string) string {
	return cacheKey("examples", c.generator.id, persona, task.String(), question)
}

func (c *config) questionsKey(persona string, task pb.AdherenceTaskKind) string {
	return cacheKey("questions", c.generator.id, persona, task.String(), fmt.Sprint(c.perTask))
}

// probed is what the probe asked, saved once the caches are open.
type probed struct {
	questions map[pb.AdherenceTaskKind][]string // generated, or nil
	answer    string
	examples  []string
	c         *config
	p         Persona
	task      pb.AdherenceTaskKind
	question  string
}

// probe asks the first persona's first question of what is not already
// cached in dir; see Run.
func (c *config) probe(ctx context.Context, p Persona, dir string) (*probed, error) {
	if _, err := os.Stat(filepath.Join(dir, ResultsFile)); err == nil {
		return nil, nil // a run to resume: its endpoints answered before
	}
	pr := &probed{c: c, p: p, task: judges.AdherenceTasks[0]}
	qs := p.Questions[pr.task]
	if qs == nil {
		var err error
		if qs, err = c.generator.Questions(ctx, p.Description, pr.task, c.perTask); err != nil {
			return nil, fmt.Errorf("generator: %s", describe(err))
		}
		pr.questions = map[pb.AdherenceTaskKind][]string{pr.task: qs}
	}
	pr.question = qs[0]
	var err error
	if pr.answer, err = c.agent.Answer(ctx, p.Description, pr.question); err != nil {
		return nil, fmt.Errorf("agent: %s", describe(err))
	}
	if c.examples {
		pr.examples, err = c.generator.Examples(ctx, p.Description, pr.task, pr.question)
		var shape *ShapeError
		if err != nil && !errors.As(err, &shape) { // a shape error is the item's, reported later
			return nil, fmt.Errorf("generator: %s", describe(err))
		}
	}
	return pr, nil
}

func (pr *probed) save(p *prep) error {
	if pr == nil {
		return nil
	}
	c, desc := pr.c, pr.p.Description
	id := itemID(0, pr.task, 0)
	if pr.questions != nil {
		p.generatorCalls.Add(1)
		if err := p.questions.put(c.questionsKey(desc, pr.task), id, pr.questions[pr.task]); err != nil {
			return err
		}
	}
	p.agentCalls.Add(1)
	if err := p.answers.put(c.answerKey(desc, pr.question), id, pr.answer); err != nil {
		return err
	}
	if pr.examples != nil {
		p.generatorCalls.Add(1)
		return p.examples.put(c.examplesKey(desc, pr.task, pr.question), id, pr.examples)
	}
	return nil
}

// describe is the words for a model call's fault: the kind and the
// attempts, never a key.
func describe(err error) string {
	var ce *clients.CallError
	if errors.As(err, &ce) {
		return clients.Describe(err)
	}
	return err.Error()
}

// questions lists every item, generating the questions of personas given
// without them (cached per persona and task).
func (c *config) questions(ctx context.Context, p *prep, personas []Persona) ([]item, error) {
	var mu sync.Mutex
	gen := map[int]map[pb.AdherenceTaskKind][]string{}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.concurrency)
	for pi, per := range personas {
		if per.Questions != nil {
			continue
		}
		for _, t := range judges.AdherenceTasks {
			g.Go(func() error {
				key := c.questionsKey(per.Description, t)
				var qs []string
				if !p.questions.get(key, &qs) {
					var err error
					p.generatorCalls.Add(1)
					if qs, err = c.generator.Questions(gctx, per.Description, t, c.perTask); err != nil {
						return fmt.Errorf("line %d, %s questions: %s", per.Line, TaskName(t), describe(err))
					}
					if err := p.questions.put(key, fmt.Sprintf("p%03d.%s", pi, taskCodes[t]), qs); err != nil {
						return err
					}
				}
				mu.Lock()
				defer mu.Unlock()
				if gen[pi] == nil {
					gen[pi] = map[pb.AdherenceTaskKind][]string{}
				}
				gen[pi][t] = qs
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var items []item
	for pi, per := range personas {
		qs := per.Questions
		if qs == nil {
			qs = gen[pi]
		}
		for _, t := range judges.AdherenceTasks {
			for qi, q := range qs[t] {
				items = append(items, item{id: itemID(pi, t, qi), persona: pi, task: t, question: q})
			}
		}
	}
	return items, nil
}

// prepare gets every item's answer and examples (cached or asked) and
// builds its Score request. An item whose examples never had the right
// shape is an ItemError; any other failure of a model call ends the run
// (what was cached stays for the rerun).
func (c *config) prepare(ctx context.Context, p *prep, personas []Persona, items []item) ([]*pb.ScoreRequest, []ItemError, error) {
	reqs := make([]*pb.ScoreRequest, len(items))
	var mu sync.Mutex
	var itemErrs []ItemError
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.concurrency)
	for i, it := range items {
		g.Go(func() error {
			persona := personas[it.persona].Description
			var answer string
			if key := c.answerKey(persona, it.question); !p.answers.get(key, &answer) {
				var err error
				p.agentCalls.Add(1)
				if answer, err = c.agent.Answer(gctx, persona, it.question); err != nil {
					return fmt.Errorf("agent, item %s: %s", it.id, describe(err))
				}
				if err := p.answers.put(key, it.id, answer); err != nil {
					return err
				}
			}
			var examples []string
			if c.examples {
				if key := c.examplesKey(persona, it.task, it.question); !p.examples.get(key, &examples) {
					var err error
					p.generatorCalls.Add(1)
					examples, err = c.generator.Examples(gctx, persona, it.task, it.question)
					var shape *ShapeError
					switch {
					case errors.As(err, &shape):
						mu.Lock()
						itemErrs = append(itemErrs, ItemError{ItemID: it.id, Error: shape.Error()})
						mu.Unlock()
						return nil
					case err != nil:
						return fmt.Errorf("generator, item %s: %s", it.id, describe(err))
					}
					if err := p.examples.put(key, it.id, examples); err != nil {
						return err
					}
				}
			}
			reqs[i] = c.request(it, persona, answer, examples)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, fmt.Errorf("%w; what was asked is cached in the run directory: run the same command again to resume", err)
	}
	out := reqs[:0]
	for _, r := range reqs {
		if r != nil {
			out = append(out, r)
		}
	}
	sort.Slice(itemErrs, func(i, j int) bool { return itemErrs[i].ItemID < itemErrs[j].ItemID })
	return out, itemErrs, nil
}

// request is the item's adherence Score request. Examples ride in a rubric
// without levels: the built-in levels stay, and the judge profile is the
// task's rubric with "+ex", whatever the examples say.
func (c *config) request(it item, persona, answer string, examples []string) *pb.ScoreRequest {
	adh := &pb.PersonaAdherenceTask{Persona: persona, Task: it.task, Question: it.question, Answer: answer}
	if examples != nil {
		adh.CustomRubric = &pb.Rubric{Examples: examples}
	}
	req := &pb.ScoreRequest{
		ItemId: it.id,
		Task:   &pb.ScoreRequest_Adherence{Adherence: adh},
		Tags:   map[string]string{"task": taskCodes[it.task]},
	}
	if len(c.judgeModels) > 0 {
		req.Judge = &pb.JudgeConfig{Models: c.judgeModels}
	}
	return req
}
