package eval

import (
	"bytes"
	"strings"
	"testing"
)

func TestProgressLine(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := startProgress(&buf, ProgressBar, 0, 200)
	for range 50 {
		p.add()
	}
	p.finish()
	out := buf.String()
	if !strings.HasPrefix(out, "\r[======") || !strings.Contains(out, "50/200 (25.0%)") || !strings.HasSuffix(out, "\n") {
		t.Fatalf("bar output %q", out)
	}
	buf.Reset()
	p = startProgress(&buf, ProgressLines, 0, 10)
	p.show()
	p.finish()
	if out := buf.String(); !strings.HasPrefix(out, "eval: 0/10 (0.0%)") || strings.Contains(out, "\r") {
		t.Fatalf("lines output %q", out)
	}
}
