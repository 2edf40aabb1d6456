package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	pb "github.com/personajudge/personajudge/gen/personajudge/v1"
	"github.com/personajudge/personajudge/gen/personajudge/v1/personajudgev1connect"
	"github.com/personajudge/personajudge/internal/multiaddr"
	"google.golang.org/protobuf/encoding/protojson"
)

func runScore(args []string) error {
	fs := flag.NewFlagSet("score", flag.ContinueOnError)
	addr := fs.String("addr", multiaddr.Default("http://127.0.0.1:8080"), "base URL of a running personajudge service, or a comma-separated list of replicas (tried in turn while one is unavailable; default $"+multiaddr.EnvVar+" when set)")
	in := fs.String("in", "-", "file holding one ScoreRequest as JSON (- for standard input)")
	timeout := fs.Duration("timeout", 5*time.Minute, "deadline for the judgment")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var raw []byte
	var err error
	if *in == "-" {
		raw, err = io.ReadAll(os.Stdin)
	} else {
		raw, err = os.ReadFile(*in)
	}
	if err != nil {
		return err
	}
	req := &pb.ScoreRequest{}
	if err := protojson.Unmarshal(raw, req); err != nil {
		return fmt.Errorf("reading ScoreRequest JSON: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	addrs, err := multiaddr.Parse(*addr)
	if err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	replicas := make([]multiaddr.Scorer, len(addrs))
	for i, a := range addrs {
		replicas[i] = personajudgev1connect.NewJudgeServiceClient(http.DefaultClient, a, apiKeyOption())
	}
	resp, err := multiaddr.NewSpread(replicas...).Score(ctx, req)
	if err != nil {
		// A connect error already reads "code: message"; wrapping it again
		// would print the code twice.
		return err
	}
	out, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(resp)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(os.Stdout, string(out))
	return err
}
