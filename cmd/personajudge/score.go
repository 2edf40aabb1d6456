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
	"google.golang.org/protobuf/encoding/protojson"
)

func runScore(args []string) error {
	fs := flag.NewFlagSet("score", flag.ContinueOnError)
	addr := fs.String("addr", serviceAddr(), addrUsage)
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
	client := personajudgev1connect.NewJudgeServiceClient(http.DefaultClient, *addr, apiKeyOption())
	resp, err := client.Score(ctx, req)
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
