package main

import (
	"bytes"
	"debug/elf"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The binary the image ships is static: built as the Dockerfile builds it
// (CGO_ENABLED=0), it has no program interpreter and no dynamic section, so
// it runs on a distroless static base. Opt-in, as it compiles the whole
// tree a second time (without cgo):
//
//	PJ_STATIC=1 go test -run TestBinaryIsStatic ./cmd/personajudge/
func TestBinaryIsStatic(t *testing.T) {
	if os.Getenv("PJ_STATIC") == "" {
		t.Skip("the static build compiles everything again without cgo; run it with PJ_STATIC=1")
	}
	bin := filepath.Join(t.TempDir(), "personajudge")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Fatalf("program header %v: the binary is dynamically linked", p.Type)
		}
	}
	if s := f.Section(".dynamic"); s != nil {
		t.Fatal("the binary has a .dynamic section")
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Fatalf("the binary needs shared libraries %v", libs)
	}
}

// serveFlags lists the flags `serve -h` prints.
func serveFlags(t *testing.T, bin string) map[string]bool {
	t.Helper()
	out, err := exec.Command(bin, "serve", "-h").CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	flags := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s+-([a-z][a-z0-9-]*)`).FindAllSubmatch(out, -1) {
		flags[string(m[1])] = true
	}
	if !flags["addr"] || !flags["db"] {
		t.Fatalf("serve -h lists no --addr or --db:\n%s", out)
	}
	return flags
}

// yamlDocs parses every document of a YAML file.
func yamlDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	var docs []map[string]any
	for {
		var d map[string]any
		if err := dec.Decode(&d); err != nil {
			if errors.Is(err, io.EOF) {
				return docs
			}
			t.Fatalf("%s: %v", path, err)
		}
		if d != nil {
			docs = append(docs, d)
		}
	}
}

// dig follows keys (string for maps, int for lists) through parsed YAML.
func dig(v any, path ...any) any {
	for _, k := range path {
		switch k := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func stringList(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// checkServeArgs fails for a serve argument the binary does not have, and
// returns the port --addr listens on.
func checkServeArgs(t *testing.T, where string, args []string, flags map[string]bool) string {
	t.Helper()
	if len(args) == 0 || args[0] != "serve" {
		t.Fatalf("%s: arguments %v do not start with serve", where, args)
	}
	port := ""
	for _, a := range args[1:] {
		if !strings.HasPrefix(a, "--") {
			t.Fatalf("%s: argument %q: write flags as --name=value", where, a)
		}
		name, value, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if !flags[name] {
			t.Errorf("%s: serve has no flag --%s", where, name)
		}
		if name == "addr" {
			_, port, _ = strings.Cut(value, ":")
		}
	}
	if port == "" {
		t.Fatalf("%s: no --addr=host:port", where)
	}
	return port
}

// The deployment files parse, run `serve` with flags the binary has, and
// probe, expose and publish the port it listens on.
func TestDeployFilesMatchTheBinary(t *testing.T) {
	flags := serveFlags(t, buildBinary(t))
	root := filepath.Join("..", "..")

	var kinds []string
	for _, name := range []string{"deployment.yaml", "service.yaml", "pdb.yaml"} {
		for _, d := range yamlDocs(t, filepath.Join(root, "deploy", "k8s", name)) {
			kind, _ := d["kind"].(string)
			kinds = append(kinds, kind)
			switch kind {
			case "Deployment":
				c := dig(d, "spec", "template", "spec", "containers", 0)
				port := checkServeArgs(t, name, stringList(dig(c, "args")), flags)
				if got := dig(c, "ports", 0, "containerPort"); got != atoi(t, port) {
					t.Errorf("%s: containerPort %v, serve listens on %s", name, got, port)
				}
				for _, probe := range []string{"readinessProbe", "livenessProbe", "startupProbe"} {
					if got := dig(c, probe, "grpc", "port"); got != atoi(t, port) {
						t.Errorf("%s: %s is not a gRPC probe of port %s (got %v)", name, probe, port, got)
					}
				}
				if dig(d, "spec", "template", "spec", "securityContext", "runAsNonRoot") != true {
					t.Errorf("%s: pods may run as root", name)
				}
			case "Service":
				if got := dig(d, "spec", "ports", 0, "targetPort"); got != "grpc" {
					t.Errorf("%s: targetPort %v, want the container's named port grpc", name, got)
				}
			}
		}
	}
	if strings.Join(kinds, ",") != "Deployment,Service,PodDisruptionBudget" {
		t.Fatalf("kinds %v", kinds)
	}

	compose := yamlDocs(t, filepath.Join(root, "deploy", "compose.yaml"))[0]
	replicas := 0
	for name, svc := range dig(compose, "services").(map[string]any) {
		args := stringList(dig(svc, "command"))
		if len(args) == 0 {
			continue // postgres
		}
		replicas++
		port := checkServeArgs(t, "compose "+name, args, flags)
		published := stringList(dig(svc, "ports"))
		if len(published) != 1 || !strings.HasSuffix(published[0], ":"+port) {
			t.Errorf("compose %s: ports %v do not publish %s", name, published, port)
		}
		if db := argValue(args, "db"); !strings.HasPrefix(db, "postgres://") {
			t.Errorf("compose %s: --db=%q, want the shared PostgreSQL", name, db)
		}
	}
	if replicas != 2 {
		t.Fatalf("compose has %d replicas, want 2", replicas)
	}

	docker, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CGO_ENABLED=0", "USER nonroot", "HEALTHCHECK", `"health"`, "EXPOSE 8080"} {
		if !bytes.Contains(docker, []byte(want)) {
			t.Errorf("Dockerfile lacks %s", want)
		}
	}
}

func argValue(args []string, name string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
	}
	return ""
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("port %q: %v", s, err)
	}
	return n
}

// With PJ_DOCKER=1 and a running container engine, the image builds and
// its health check passes. Elsewhere it is skipped, saying why.
func TestDockerImage(t *testing.T) {
	if os.Getenv("PJ_DOCKER") == "" {
		t.Skip("image build is opt-in: PJ_DOCKER=1 go test -run TestDockerImage ./cmd/personajudge/")
	}
	if out, err := exec.Command("docker", "info").CombinedOutput(); err != nil {
		t.Skipf("no container engine runs here (docker info: %v): %s", err, firstLine(out))
	}
	build := exec.Command("docker", "build", "-t", "personajudge:test", ".")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("docker build: %v\n%s", err, out)
	}
	out, err := exec.Command("docker", "run", "--rm", "--entrypoint", "/usr/local/bin/personajudge", "personajudge:test", "serve", "-h").CombinedOutput()
	if !bytes.Contains(out, []byte("-addr")) {
		t.Fatalf("serve -h in the image: %v\n%s", err, out)
	}
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return s
}
