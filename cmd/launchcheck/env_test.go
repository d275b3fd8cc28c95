//go:build !prelaunch && !t0 && !day1 && !week1

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hustlexp/launchcheck/internal/config"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestEnvExampleUpToDate keeps .env.example equal to the variable registry.
func TestEnvExampleUpToDate(t *testing.T) {
	path := filepath.Join(repoRoot(t), ".env.example")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf(".env.example missing (go run ./cmd/launchcheck env --example > .env.example): %v", err)
	}
	if string(got) != EnvExample() {
		t.Fatalf(".env.example is out of date with internal/config: regenerate with\n  go run ./cmd/launchcheck env --example > .env.example")
	}
	for _, v := range config.Vars() {
		if !strings.Contains(string(got), "# "+v.Name+"=") {
			t.Errorf(".env.example lacks %s", v.Name)
		}
		if v.Doc == "" {
			t.Errorf("%s has no documentation", v.Name)
		}
	}
}

// TestEnvExampleHasNoValues: the example never carries a real value, only
// declared defaults.
func TestEnvExampleHasNoValues(t *testing.T) {
	for _, line := range strings.Split(EnvExample(), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			t.Errorf("uncommented line in .env.example: %q", line)
		}
	}
	for _, v := range config.Vars() {
		if v.Secret && v.Default != "" {
			t.Errorf("secret %s has a default value", v.Name)
		}
	}
}

// TestReadmeEnvTable: if README.md has the markers, the table between them
// must be exactly `launchcheck env --markdown`.
func TestReadmeEnvTable(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Skipf("no README.md: %v", err)
	}
	s := string(data)
	const begin, end = "<!-- env:begin -->", "<!-- env:end -->"
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 && j < 0 {
		t.Skip("README.md has no <!-- env:begin --> / <!-- env:end --> markers yet")
	}
	if i < 0 || j < i {
		t.Fatalf("README.md: env markers incomplete or out of order")
	}
	got := strings.TrimSpace(s[i+len(begin) : j])
	if got == "" {
		t.Skip("README.md env markers are empty: paste `go run ./cmd/launchcheck env --markdown` between them")
	}
	if got != strings.TrimSpace(EnvMarkdown()) {
		t.Fatalf("README.md environment table is out of date with internal/config: replace the text between the markers with\n  go run ./cmd/launchcheck env --markdown")
	}
}
