package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/personajudge/personajudge/clients"
	"github.com/personajudge/personajudge/personagym"
)

// runRun is `personajudge run <benchmark>`; PersonaGym is the one there is:
//
//	personajudge run personagym --personas FILE --out DIR --agent-model M --agent-base-url URL [...]
//	personajudge run compare --a DIR --b DIR
//
// The pipeline is package personagym; this file parses flags and wires.
func runRun(args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(os.Stderr, "usage: personajudge run personagym [flags]   run the PersonaGym benchmark\n       personajudge run compare [flags]      is run B better than run A?\n\nRun 'personajudge run <name> -h' for its flags.")
		if len(args) == 0 {
			return errors.New("name a benchmark")
		}
		return flag.ErrHelp
	}
	switch args[0] {
	case "personagym":
		return runPersonaGym(args[1:], os.Stdout, os.Stderr)
	case "compare":
		return runCompare(args[1:], os.Stdout)
	}
	return fmt.Errorf("unknown benchmark %q (personagym, compare)", args[0])
}

// modelFlags are one OpenAI-compatible model's flags under a prefix.
type modelFlags struct {
	base, model, keyEnv, timeout *string
	conc, retries                *int
}

func addModelFlags(fs *flag.FlagSet, prefix, what string) modelFlags {
	return modelFlags{
		base:    fs.String(prefix+"-base-url", "", what+": OpenAI-compatible base URL, e.g. http://localhost:11434/v1"),
		model:   fs.String(prefix+"-model", "", what+": model id"),
		keyEnv:  fs.String(prefix+"-api-key-env", "OPENAI_API_KEY", what+": environment variable holding the API key"),
		timeout: fs.String(prefix+"-timeout", "120s", what+": timeout of one HTTP attempt"),
		conc:    fs.Int(prefix+"-concurrency", 16, what+": calls in flight at most"),
		retries: fs.Int(prefix+"-retries", 3, what+": retries on 429, 5xx and connection errors"),
	}
}

func (m modelFlags) config(name string) clients.ModelConfig {
	r := *m.retries
	return clients.ModelConfig{Name: name, BaseURL: *m.base, Model: *m.model, APIKeyEnv: *m.keyEnv,
		Timeout: *m.timeout, MaxConcurrency: *m.conc, MaxRetries: &r, MaxTokens: 1024}
}

func runPersonaGym(args []string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runPersonaGymCtx(ctx, args, stdout, stderr)
}

func runPersonaGymCtx(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run personagym", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `usage: personajudge run personagym --personas FILE --out DIR --agent-base-url URL --agent-model M
       [--generator-base-url URL --generator-model M] [--addr URL | --local --models FILE]

Runs PersonaGym: per persona and task the questions (from the file, or written by
the generator), the agent's answers, five score examples per question (generator),
every answer judged by the adherence judge through the service; prints PersonaScore
per task and across personas. Rerunning the same command resumes; a complete run
rerun makes no model call. DIR holds answers.jsonl, examples.jsonl,
questions.jsonl, items.jsonl, results.jsonl and summary.json.

flags:`)
		fs.PrintDefaults()
	}
	personas := fs.String("personas", "", "personas file: JSON lines of {\"persona\": ..., \"questions\": {task: [...]}} (questions optional) (required)")
	out := fs.String("out", "", "run directory (required)")
	addr := fs.String("addr", "http://127.0.0.1:8080", "base URL of a running personajudge service (without --local)")
	local := fs.Bool("local", false, "run the service in this process, judging with --models")
	db := fs.String("db", "", "with --local: SQLite database; default a temporary file")
	modelsFile := fs.String("models", "", "with --local: JSON models file of the judge models (required with --local)")
	judgeModels := fs.String("judge-models", "", "comma-separated evaluator models; default the service's default model, or with --local the first two of --models")
	agent := addModelFlags(fs, "agent", "agent under test")
	system := fs.String("agent-system", personagym.DefaultSystemTemplate, "agent system prompt, a Go template: {{.Persona}} is the persona")
	gen := addModelFlags(fs, "generator", "generator of score examples and questions")
	examples := fs.Bool("score-examples", true, "show the judge five generator-written example answers per question, one per score level (needs the generator)")
	perTask := fs.Int("questions-per-task", personagym.DefaultQuestionsPerTask, "questions the generator writes per task for a persona given without questions")
	reasks := fs.Int("reasks", personagym.DefaultReasks, "re-asks of a generator answer of the wrong shape before the item is reported")
	conc := fs.Int("concurrency", personagym.DefaultConcurrency, "items prepared (agent answer and examples) at once")
	inFlight := fs.Int("in-flight", 128, "items sent to the judge and not yet answered, at most")
	progress := fs.Duration("progress-every", 10*time.Second, "interval of progress lines (0: none)")
	seed := fs.Uint64("seed", 1, "bootstrap seed")
	samples := fs.Int("bootstrap-samples", 2000, "bootstrap resamples")
	recordRun := fs.String("record-run", "", "when the run ends, record its per-item scores with the service under this name (BenchmarkService.RecordRun), for RollUp and CompareRuns; needs a score key when the service has keys")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case *personas == "" || *out == "":
		return errors.New("--personas and --out are required")
	case *agent.base == "" || *agent.model == "":
		return errors.New("--agent-base-url and --agent-model are required")
	case *local && *modelsFile == "":
		return errors.New("--local needs --models: the judge models")
	}
	a, err := personagym.NewAgent(agent.config("agent"), *system)
	if err != nil {
		return err
	}
	opts := []personagym.Option{
		personagym.WithAgent(a), personagym.WithScoreExamples(*examples), personagym.WithQuestionsPerTask(*perTask),
		personagym.WithConcurrency(*conc), personagym.WithInFlight(*inFlight), personagym.WithProgressEvery(*progress),
		personagym.WithBootstrap(*seed, *samples), personagym.WithLog(stderr), personagym.WithReport(stdout),
	}
	if *recordRun != "" {
		opts = append(opts, personagym.WithRecordRun(*recordRun, *agent.model))
	}
	if *gen.model != "" {
		g, err := personagym.NewGenerator(gen.config("generator"), *reasks)
		if err != nil {
			return err
		}
		opts = append(opts, personagym.WithGenerator(g))
	}
	var evaluators []string
	if *judgeModels != "" {
		evaluators = strings.Split(*judgeModels, ",")
	}
	target := *addr
	if *local {
		ls, err := startLocal(localOptions{db: *db, modelsFile: *modelsFile, maxReasks: 2, log: stderr})
		if err != nil {
			return err
		}
		defer ls.close()
		target = ls.url
		if evaluators == nil {
			fc, _ := clients.LoadFile(*modelsFile)
			for i := 0; i < len(fc.Models) && i < 2; i++ {
				evaluators = append(evaluators, fc.Models[i].Name)
			}
		}
	}
	hc := h2cClient(target)
	defer hc.CloseIdleConnections()
	opts = append(opts, personagym.WithService(target, hc, apiKeyOption()), personagym.WithJudgeModels(evaluators...))
	_, err = personagym.Run(ctx, *personas, *out, opts...)
	return err
}

func runCompare(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("run compare", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: personajudge run compare --a DIR --b DIR [--alpha 0.01] [--json FILE]\n\nPairs two PersonaGym runs on the same personas file: B - A per task (paired by\nquestion) and in PersonaScore (paired by persona), with a paired bootstrap 95%\ninterval and a sign-flip permutation p-value.\n\nflags:")
		fs.PrintDefaults()
	}
	a := fs.String("a", "", "run directory (or results.jsonl) of A (required)")
	b := fs.String("b", "", "run directory (or results.jsonl) of B (required)")
	alpha := fs.Float64("alpha", 0.01, "significance level marked in the report")
	jsonOut := fs.String("json", "", "also write the comparison as JSON to this file")
	seed := fs.Uint64("seed", 1, "bootstrap and permutation seed")
	samples := fs.Int("samples", 2000, "bootstrap resamples and permutations")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *a == "" || *b == "" {
		return errors.New("--a and --b are required")
	}
	resultsOf := func(p string) string {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return filepath.Join(p, personagym.ResultsFile)
		}
		return p
	}
	c, err := personagym.Compare(resultsOf(*a), resultsOf(*b), *seed, *samples)
	if err != nil {
		return err
	}
	c.Print(stdout, *alpha)
	if *jsonOut != "" {
		j, err := json.MarshalIndent(c, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(*jsonOut, append(j, '\n'), 0o644)
	}
	return nil
}
