package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// version is stamped by scripts/release.sh:
//
//	go build -ldflags "-X main.version=v1.2.3" ./cmd/personajudge
//
// An unstamped build says "dev" and adds what the Go toolchain recorded
// (the module version under `go install ...@v1.2.3`, the VCS revision in a
// checkout), so every binary can say where it came from.
var version = "dev"

// writeVersion prints the version line, and for an unstamped build the
// module version and VCS settings from the binary's build info.
func writeVersion(w io.Writer) error {
	line := "personajudge " + version
	if version == "dev" {
		if info, ok := debug.ReadBuildInfo(); ok {
			line += buildInfoSuffix(info)
		}
	}
	_, err := fmt.Fprintln(w, line)
	return err
}

// buildInfoSuffix is " (module v1.2.3, vcs abc123 dirty, go1.26.0)" with the
// parts the build info holds.
func buildInfoSuffix(info *debug.BuildInfo) string {
	s := " (module " + info.Main.Version
	var rev, modified string
	for _, kv := range info.Settings {
		switch kv.Key {
		case "vcs.revision":
			rev = kv.Value
		case "vcs.modified":
			modified = kv.Value
		}
	}
	if rev != "" {
		s += ", vcs " + rev
		if modified == "true" {
			s += " dirty"
		}
	}
	return s + ", " + info.GoVersion + ")"
}

func runVersion(args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("version takes no arguments")
	}
	return writeVersion(os.Stdout)
}
