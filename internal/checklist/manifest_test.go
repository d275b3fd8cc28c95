//go:build !prelaunch && !t0 && !day1 && !week1

package checklist

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The manifest holds every checklist line, verbatim and in document order.
func TestManifestMatchesDocument(t *testing.T) {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(Document))
	numbered := regexp.MustCompile(`^\d+\. (.*)$`)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "- [ ] "):
			lines = append(lines, strings.TrimPrefix(l, "- [ ] "))
		case numbered.MatchString(l):
			lines = append(lines, numbered.FindStringSubmatch(l)[1])
		}
	}
	if len(lines) != len(Rows) || len(Rows) != 55 {
		t.Fatalf("document has %d checklist lines, manifest %d rows, want 55 each", len(lines), len(Rows))
	}
	seen := map[string]bool{}
	for i, r := range Rows {
		if lines[i] != r.Line {
			t.Errorf("row %s: line %q, document line %d is %q", r.ID, r.Line, i+1, lines[i])
		}
		if seen[r.ID] {
			t.Errorf("row id %s twice", r.ID)
		}
		seen[r.ID] = true
		if !strings.Contains(Document, "### "+r.Section) && !strings.Contains(Document, "## "+r.Section) {
			t.Errorf("row %s: section %q is not a heading of the document", r.ID, r.Section)
		}
	}
}

// No code outside internal/config reads the environment.
func TestOnlyConfigReadsEnvironment(t *testing.T) {
	root := "../.."
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(rel, "internal/config/") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, bad := range []string{"os.Getenv(", "os.LookupEnv(", "os.Environ("} {
			if strings.Contains(string(src), bad) {
				t.Errorf("%s calls %s: read configuration through internal/config", rel, strings.TrimSuffix(bad, "("))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
