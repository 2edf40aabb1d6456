package personagym

import (
	"io"
	"net/http"
	"time"

	"connectrpc.com/connect"
)

// Option configures Run.
type Option func(*config)

type config struct {
	agent         *Agent
	generator     *Generator
	examples      bool
	judgeModels   []string
	addr          string
	httpClient    *http.Client
	clientOpts    []connect.ClientOption
	concurrency   int
	inFlight      int
	perTask       int
	log, report   io.Writer
	progressEvery time.Duration
	seed          uint64
	samples       int
	recordName    string
	recordAgent   string
}

// DefaultConcurrency bounds the items being prepared (agent answer and
// examples) at once; each model's own max_concurrency bounds its calls.
const DefaultConcurrency = 64

// DefaultQuestionsPerTask is how many questions the generator writes per
// task for a persona given without questions, as the benchmark has.
const DefaultQuestionsPerTask = 10

func defaults() config {
	return config{examples: true, concurrency: DefaultConcurrency, perTask: DefaultQuestionsPerTask, log: io.Discard, report: io.Discard}
}

// WithRecordRun sends the finished run's results to the service's
// BenchmarkService under name, with agent naming the agent under test, so
// the service can roll it up and compare it with other runs.
func WithRecordRun(name, agent string) Option {
	return func(c *config) { c.recordName, c.recordAgent = name, agent }
}

// WithAgent sets the agent under test (required).
func WithAgent(a *Agent) Option { return func(c *config) { c.agent = a } }

// WithGenerator sets the model that writes score examples and questions.
func WithGenerator(g *Generator) Option { return func(c *config) { c.generator = g } }

// WithScoreExamples turns the per-question score examples on (the default)
// or off.
func WithScoreExamples(on bool) Option { return func(c *config) { c.examples = on } }

// WithJudgeModels names the service's evaluator models for every item
// (none: the service's default model).
func WithJudgeModels(models ...string) Option {
	return func(c *config) { c.judgeModels = models }
}

// WithService is the judge service's base URL and an HTTP/2-capable client
// (h2c for http://), with options for every RPC client (an API key, say).
func WithService(addr string, hc *http.Client, opts ...connect.ClientOption) Option {
	return func(c *config) { c.addr, c.httpClient, c.clientOpts = addr, hc, opts }
}

// WithConcurrency bounds the items prepared at once.
func WithConcurrency(n int) Option { return func(c *config) { c.concurrency = n } }

// WithInFlight bounds the items sent to the judge and not yet answered
// (0: eval's default).
func WithInFlight(n int) Option { return func(c *config) { c.inFlight = n } }

// WithQuestionsPerTask sets how many questions are generated per task.
func WithQuestionsPerTask(n int) Option { return func(c *config) { c.perTask = n } }

// WithLog receives progress and notices; WithReport the summary.
func WithLog(w io.Writer) Option    { return func(c *config) { c.log = w } }
func WithReport(w io.Writer) Option { return func(c *config) { c.report = w } }

// WithProgressEvery writes a progress line that often (0: none).
func WithProgressEvery(d time.Duration) Option { return func(c *config) { c.progressEvery = d } }

// WithBootstrap fixes the summary's bootstrap seed and resamples.
func WithBootstrap(seed uint64, samples int) Option {
	return func(c *config) { c.seed, c.samples = seed, samples }
}
