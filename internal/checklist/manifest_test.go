package checklist

import (
	"bufio"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/rows.golden")

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

var phaseTag = regexp.MustCompile(`^//go:build (prelaunch|t0|day1|week1)\s*$`)

type binding struct{ ID, Test, File string }

// scan finds, in tagged test files, every test function that calls
// check.Item(t, "<ID>").
func scan(t *testing.T, root string) []binding {
	t.Helper()
	var out []binding
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		firstLine, _, _ := strings.Cut(string(src), "\n")
		m := phaseTag.FindStringSubmatch(firstLine)
		if m == nil {
			return nil
		}
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) != 2 {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Item" {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "check" {
					return true
				}
				lit, ok := call.Args[1].(*ast.BasicLit)
				if !ok {
					return true
				}
				id, _ := strconv.Unquote(lit.Value)
				out = append(out, binding{ID: id, Test: fn.Name.Name, File: filepath.ToSlash(rel) + " [" + m[1] + "]"})
				return true
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Every row has exactly one tagged test, in a file of its phase, and no test
// names an unknown row. The golden file keeps the list ID → test → file so a
// dropped row shows up in review.
func TestEveryRowHasExactlyOneTest(t *testing.T) {
	bs := scan(t, "../..")
	byID := map[string][]binding{}
	for _, b := range bs {
		r, ok := ByID(b.ID)
		if !ok {
			t.Errorf("%s in %s names unknown checklist row %q", b.Test, b.File, b.ID)
			continue
		}
		if !strings.HasSuffix(b.File, "["+string(r.Phase)+"]") {
			t.Errorf("%s (%s) is in %s, want a file tagged %s", b.Test, b.ID, b.File, r.Phase)
		}
		byID[b.ID] = append(byID[b.ID], b)
	}
	var golden strings.Builder
	for _, r := range Rows {
		got := byID[r.ID]
		switch len(got) {
		case 0:
			t.Errorf("row %s (%s) has no test", r.ID, r.Line)
			fmt.Fprintf(&golden, "%s\t-\t-\n", r.ID)
		case 1:
			fmt.Fprintf(&golden, "%s\t%s\t%s\n", r.ID, got[0].Test, got[0].File)
		default:
			var names []string
			for _, g := range got {
				names = append(names, g.Test+" ("+g.File+")")
			}
			sort.Strings(names)
			t.Errorf("row %s has %d tests, want 1: %s", r.ID, len(got), strings.Join(names, ", "))
			fmt.Fprintf(&golden, "%s\t%s\n", r.ID, strings.Join(names, "; "))
		}
	}
	path := "testdata/rows.golden"
	if *update {
		if err := os.WriteFile(path, []byte(golden.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/checklist -run TestEveryRowHasExactlyOneTest -update)", err)
	}
	if string(want) != golden.String() {
		t.Errorf("row → test → file changed; review and run with -update:\n--- golden\n%s\n--- now\n%s", want, golden.String())
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
