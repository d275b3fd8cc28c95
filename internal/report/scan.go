package report

import (
	"go/ast"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/hustlexp/launchcheck/internal/checklist"
)

// TestRef is a tagged checklist test found in the source tree.
type TestRef struct {
	Row  string `json:"row"`
	Test string `json:"test"`
	File string `json:"file"` // relative to the repository root
	Tags string `json:"tags"` // the //go:build expression
}

// ScanTests finds every test function in a *_test.go file with a //go:build
// line that calls check.Item(t, "<ROW>"), under root (vendor, testdata and
// hidden directories skipped). The report uses it to tell "not implemented"
// (no test names the row) from "did not run" (a test exists but produced no
// result in this stream).
func ScanTests(root string) ([]TestRef, error) {
	var out []TestRef
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable directory: skip, the scan is advisory
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "vendor" || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		tags := buildTags(src)
		if tags == "" {
			return nil // untagged: a self-test or unit test, not a checklist test
		}
		f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil || !strings.HasPrefix(fn.Name.Name, "Test") {
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
				if !ok || lit.Kind != token.STRING {
					return true
				}
				id, err := strconv.Unquote(lit.Value)
				if err != nil {
					return true
				}
				out = append(out, TestRef{Row: id, Test: fn.Name.Name, File: filepath.ToSlash(rel), Tags: tags})
				return true
			})
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Row != out[j].Row {
			return out[i].Row < out[j].Row
		}
		return out[i].File < out[j].File
	})
	return out, err
}

// buildTags returns the //go:build expression of a file if it names a phase.
func buildTags(src []byte) string {
	for _, line := range strings.Split(string(src), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") && !constraint.IsGoBuild(line) {
			continue
		}
		if !constraint.IsGoBuild(line) {
			return "" // reached code before any build line
		}
		expr, err := constraint.Parse(line)
		if err != nil {
			return ""
		}
		for _, p := range checklist.Phases {
			if expr.Eval(func(tag string) bool { return tag == string(p) }) {
				return strings.TrimSpace(strings.TrimPrefix(line, "//go:build"))
			}
		}
		return ""
	}
	return ""
}

// FindRoot walks up from dir to the directory holding go.mod.
func FindRoot(dir string) string {
	d, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}
