// Command personajudge is the PersonaJudge binary: the judge service and its
// clients.
//
//	personajudge serve      run the service
//	personajudge score      judge one item (JSON) through a running service
//	personajudge calibrate  import outcomes, fit calibrators, report (import|fit|report)
//	personajudge eval       stream a labelled dataset through the service and summarize
//	personajudge audit      verdict flips under persona attributes that should not matter
//	personajudge sim        serve a simulated judge, or generate a labelled dataset
//	personajudge run        run the PersonaGym benchmark, or compare two runs
//	personajudge load       open-loop load on Score through a running service
//	personajudge keys       make or hash API keys
//	personajudge cascade    measure cascades and panels offline (recorded|sim)
//	personajudge version    print the version (also --version)
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
)

// commands maps a subcommand to its entry point; each lives in its own file.
var commands = map[string]struct {
	run     func(args []string) error
	summary string
}{
	"serve":     {runServe, "run the judge service"},
	"score":     {runScore, "judge one item, read as JSON, through a running service"},
	"calibrate": {runCalibrate, "import outcomes, fit calibrators and report on them, through a running service"},
	"eval":      {runEval, "stream a JSON-lines dataset through ScoreStream, resumably, and summarize"},
	"audit":     {runAudit, "robustness audit: perturb personas with irrelevant attributes, judge, report verdict flips per profile"},
	"load":      {runLoad, "open-loop load generator for Score: codes, latency percentiles, server peak memory"},
	"keys":      {runKeys, "make an API key and its hashed entry for --api-keys, or hash a key"},
	"health":    {runHealth, "exit 0 when a running service answers the gRPC health check as serving"},
	"run":       {runRun, "run the PersonaGym benchmark end to end (run personagym), or compare two runs (run compare)"},
	"cascade":   {runCascade, "measure judge cascades and calibrated panels offline, on recorded judgments or the simulator"},
	"sim":       {runSim, "serve a simulated judge (OpenAI-compatible) for demos and load tests, or generate a labelled dataset"},
	"version":   {runVersion, "print the version this binary was built as"},
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage()
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	if os.Args[1] == "--version" || os.Args[1] == "-version" {
		if err := writeVersion(os.Stdout); err != nil {
			os.Exit(1)
		}
		return
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "personajudge: unknown command %q\n\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if err := cmd.run(os.Args[2:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "personajudge "+os.Args[1]+": "+err.Error())
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: personajudge <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(os.Stderr, "\nRun 'personajudge <command> -h' for a command's flags.")
}
