package calibration

import (
	"errors"
	"strings"
	"testing"
)

func TestParseMethod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Method
		wantErr bool
	}{
		{"histogram", MethodHistogram, false},
		{"isotonic", MethodIsotonic, false},
		{"platt", MethodPlatt, false},
		{"  Platt ", MethodPlatt, false},
		{"", "", true},
		{"beta", "", true},
	}
	for _, tc := range tests {
		got, err := ParseMethod(tc.in)
		if tc.wantErr {
			if !errors.Is(err, ErrUnknownMethod) {
				t.Errorf("ParseMethod(%q) err = %v, want ErrUnknownMethod", tc.in, err)
				continue
			}
			for _, m := range Methods {
				if !strings.Contains(err.Error(), string(m)) {
					t.Errorf("ParseMethod(%q) error %q does not name %q", tc.in, err, m)
				}
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseMethod(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
