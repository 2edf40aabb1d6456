package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// Serving beyond loopback without keys is refused unless asked for.
func TestServeRefusesOpenNonLoopback(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pj.db")
	err := runServe([]string{"--addr", "0.0.0.0:0", "--db", db})
	if err == nil || !strings.Contains(err.Error(), "--allow-unauthenticated") || !strings.Contains(err.Error(), "--api-keys") {
		t.Fatalf("err = %v, want a refusal that names --api-keys and --allow-unauthenticated", err)
	}
	if err := runServe([]string{"--addr", "127.0.0.1:0", "--tls-cert", "c.pem", "--db", db}); err == nil || !strings.Contains(err.Error(), "--tls-key") {
		t.Fatalf("cert without key: %v", err)
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:1": true, "[::1]:80": true, "127.5.0.1:9": true,
		"0.0.0.0:8080": false, ":8080": false, "10.0.0.1:80": false, "example.com:80": false,
	} {
		if got := isLoopback(addr); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}
