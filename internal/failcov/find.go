// Package failcov measures failure coverage: which of the statements in the
// check code that fail or degrade a row (t.Error*, t.Fatal*, check.Unverified,
// check.NotConfigured) were executed by a self-test, judged from a Go cover
// profile. A statement no self-test reaches is a failure nobody has proven; it
// must be covered or listed, with the reason, in the exemptions file.
package failcov

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Stmt is one failure statement in check code.
type Stmt struct {
	File     string // slash path relative to the module root, e.g. launch/database.go
	Line     int
	Col      int
	Func     string // enclosing top-level function: Name or Recv.Name
	Call     string // t.Errorf, check.Unverified, …
	Message  string // the format string (unquoted) or the source of the message argument
	Covered  bool
	Exempt   *Exemption
	NoBlock  bool // the profile has no block at this position
	blockKey string
}

// Where is file:line.
func (s Stmt) Where() string { return fmt.Sprintf("%s:%d", s.File, s.Line) }

// failMethods are the methods of check.T / testing.TB that fail a row.
var failMethods = map[string]bool{"Error": true, "Errorf": true, "Fatal": true, "Fatalf": true}

// checkFuncs are the check package's functions that fail a row, with the index
// of their message argument.
var checkFuncs = map[string]int{"Unverified": 1, "NotConfigured": 2}

const checkImport = "/internal/check"

// PhasePackages are the package directories holding check code, the gate's
// default (cmd -pkgs); the Makefile's PHASE_PKGS names the same directories
// (TestPhasePackagesMatchTheMakefile). internal/dbcheck holds the Database
// checks launch and postlaunch share.
var PhasePackages = []string{"launch", "smoke", "functional", "postlaunch", "internal/dbcheck"}

// Find parses the non-test Go files of each package directory (relative to
// root, e.g. "launch") and returns every failure statement, sorted by file and line.
func Find(root string, pkgDirs []string) ([]Stmt, error) {
	var out []Stmt
	for _, dir := range pkgDirs {
		dir = filepath.ToSlash(filepath.Clean(dir))
		dir = strings.TrimPrefix(dir, "./")
		ents, err := os.ReadDir(filepath.Join(root, dir))
		if err != nil {
			return nil, fmt.Errorf("package %s: %w", dir, err)
		}
		fset := token.NewFileSet()
		var files []*ast.File
		var names []string
		for _, e := range ents {
			n := e.Name()
			if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(root, dir, n), nil, parser.SkipObjectResolution)
			if err != nil {
				return nil, fmt.Errorf("parse %s/%s: %w", dir, n, err)
			}
			files = append(files, f)
			names = append(names, dir+"/"+n)
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("package %s: no non-test Go files", dir)
		}
		tFields := tFieldNames(files)
		for i, f := range files {
			out = append(out, findInFile(fset, f, names[i], tFields)...)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Col < out[j].Col
	})
	return out, nil
}

// checkName returns the local name under which the file imports the check
// package ("" when it does not), and the names of testing.
func importNames(f *ast.File) (checkPkg, testingPkg string) {
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		local := ""
		if im.Name != nil {
			local = im.Name.Name
		}
		switch {
		case strings.HasSuffix(p, checkImport):
			if local == "" {
				local = "check"
			}
			checkPkg = local
		case p == "testing":
			if local == "" {
				local = "testing"
			}
			testingPkg = local
		}
	}
	return checkPkg, testingPkg
}

// isTType reports whether a type expression is check.T, testing.TB, *testing.T or *testing.B.
func isTType(e ast.Expr, checkPkg, testingPkg string) bool {
	if st, ok := e.(*ast.StarExpr); ok {
		sel, ok := st.X.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		id, ok := sel.X.(*ast.Ident)
		return ok && testingPkg != "" && id.Name == testingPkg && (sel.Sel.Name == "T" || sel.Sel.Name == "B")
	}
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return false
	}
	return (checkPkg != "" && id.Name == checkPkg && sel.Sel.Name == "T") ||
		(testingPkg != "" && id.Name == testingPkg && sel.Sel.Name == "TB")
}

// tFieldNames collects the names of struct fields (embedded or named) of type
// check.T / testing.TB declared in the package, so x.T.Errorf counts.
func tFieldNames(files []*ast.File) map[string]bool {
	out := map[string]bool{}
	for _, f := range files {
		cp, tp := importNames(f)
		ast.Inspect(f, func(n ast.Node) bool {
			st, ok := n.(*ast.StructType)
			if !ok {
				return true
			}
			for _, fl := range st.Fields.List {
				if !isTType(fl.Type, cp, tp) {
					continue
				}
				if len(fl.Names) == 0 { // embedded: the field is named after the type
					switch ty := fl.Type.(type) {
					case *ast.SelectorExpr:
						out[ty.Sel.Name] = true
					case *ast.StarExpr:
						if s, ok := ty.X.(*ast.SelectorExpr); ok {
							out[s.Sel.Name] = true
						}
					}
				}
				for _, nm := range fl.Names {
					out[nm.Name] = true
				}
			}
			return true
		})
	}
	return out
}

type finder struct {
	fset       *token.FileSet
	file       string
	checkPkg   string
	testingPkg string
	tFields    map[string]bool
	fn         string
	out        []Stmt
}

func findInFile(fset *token.FileSet, f *ast.File, name string, tFields map[string]bool) []Stmt {
	cp, tp := importNames(f)
	fd := &finder{fset: fset, file: name, checkPkg: cp, testingPkg: tp, tFields: tFields}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			fd.fn = d.Name.Name
			scope := map[string]bool{}
			if d.Recv != nil && len(d.Recv.List) > 0 {
				fd.fn = recvName(d.Recv.List[0].Type) + "." + d.Name.Name
				fd.params(scope, d.Recv)
			}
			fd.params(scope, d.Type.Params)
			if d.Body != nil {
				fd.walk(d.Body, scope)
			}
		case *ast.GenDecl:
			for _, sp := range d.Specs {
				vs, ok := sp.(*ast.ValueSpec)
				if !ok {
					continue
				}
				for i, v := range vs.Values {
					fd.fn = "var"
					if i < len(vs.Names) {
						fd.fn = vs.Names[i].Name
					}
					fd.walk(v, map[string]bool{})
				}
			}
		}
	}
	return fd.out
}

func recvName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return recvName(e.X)
	case *ast.Ident:
		return e.Name
	case *ast.IndexExpr:
		return recvName(e.X)
	case *ast.IndexListExpr:
		return recvName(e.X)
	}
	return "?"
}

// params records in scope which parameter names are a T (true) and which
// shadow an outer T (false).
func (fd *finder) params(scope map[string]bool, fl *ast.FieldList) {
	if fl == nil {
		return
	}
	for _, p := range fl.List {
		isT := isTType(p.Type, fd.checkPkg, fd.testingPkg)
		for _, n := range p.Names {
			scope[n.Name] = isT
		}
	}
}

func (fd *finder) walk(n ast.Node, scope map[string]bool) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			inner := make(map[string]bool, len(scope))
			for k, v := range scope {
				inner[k] = v
			}
			fd.params(inner, n.Type.Params)
			fd.walk(n.Body, inner)
			return false
		case *ast.DeclStmt: // var x check.T
			if gd, ok := n.Decl.(*ast.GenDecl); ok && gd.Tok == token.VAR {
				for _, sp := range gd.Specs {
					if vs, ok := sp.(*ast.ValueSpec); ok && vs.Type != nil {
						isT := isTType(vs.Type, fd.checkPkg, fd.testingPkg)
						for _, nm := range vs.Names {
							scope[nm.Name] = isT
						}
					}
				}
			}
		case *ast.CallExpr:
			fd.call(n, scope)
		}
		return true
	})
}

func (fd *finder) call(c *ast.CallExpr, scope map[string]bool) {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return
	}
	msgArg := -1
	var call string
	switch x := sel.X.(type) {
	case *ast.Ident:
		if fd.checkPkg != "" && x.Name == fd.checkPkg {
			if i, ok := checkFuncs[sel.Sel.Name]; ok {
				msgArg, call = i, x.Name+"."+sel.Sel.Name
			}
		} else if scope[x.Name] && failMethods[sel.Sel.Name] {
			msgArg, call = 0, x.Name+"."+sel.Sel.Name
		}
	case *ast.SelectorExpr:
		if fd.tFields[x.Sel.Name] && failMethods[sel.Sel.Name] {
			msgArg, call = 0, fd.src(x)+"."+sel.Sel.Name
		}
	}
	if call == "" {
		return
	}
	msg := ""
	if msgArg < len(c.Args) {
		a := c.Args[msgArg]
		if bl, ok := a.(*ast.BasicLit); ok && bl.Kind == token.STRING {
			if s, err := strconv.Unquote(bl.Value); err == nil {
				msg = s
			}
		}
		if msg == "" {
			msg = fd.src(a)
		}
	}
	p := fd.fset.Position(c.Pos())
	fd.out = append(fd.out, Stmt{File: fd.file, Line: p.Line, Col: p.Column, Func: fd.fn, Call: call, Message: oneLine(msg)})
}

func (fd *finder) src(e ast.Expr) string {
	var b bytes.Buffer
	_ = printer.Fprint(&b, token.NewFileSet(), e)
	return b.String()
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}
