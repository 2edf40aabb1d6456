package main

import (
	"bufio"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/personajudge/personajudge/server"
)

// runKeys manages API keys: the service stores only their SHA-256.
//
//	personajudge keys new --name NAME --role read|score|admin
//	personajudge keys hash < key
func runKeys(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: personajudge keys new --name NAME --role read|score|admin | keys hash (key on stdin)")
	}
	switch args[0] {
	case "new":
		fs := flag.NewFlagSet("keys new", flag.ContinueOnError)
		name := fs.String("name", "", "who the key is for")
		role := fs.String("role", "score", "read, score or admin")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *name == "" {
			return errors.New("--name is required")
		}
		key := "pj_" + rand.Text()
		entry := server.KeyConfig{Name: *name, SHA256: server.HashKey(key), Role: server.Role(*role)}
		if _, err := server.NewGate([]server.KeyConfig{entry}, server.DefaultLimits()); err != nil {
			return err
		}
		b, _ := json.Marshal(entry)
		fmt.Fprintf(os.Stderr, "Give this key to %s; it is shown only now:\n", *name)
		fmt.Println(key)
		fmt.Fprintln(os.Stderr, "Add this entry to the \"keys\" list of the --api-keys file:")
		fmt.Println(string(b))
		return nil
	case "hash":
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("reading the key from standard input: " + err.Error())
		}
		fmt.Println(server.HashKey(strings.TrimSpace(line)))
		return nil
	}
	return fmt.Errorf("unknown keys command %q (want new or hash)", args[0])
}
