package report

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ScanNeeds reads the checks' source and returns, per checklist row, the
// configuration variables its check passes to check.Need or names first in
// check.NotConfigured — directly or through functions of the same package it
// calls. Row functions are the exported functions whose doc comment starts
// with the row id ("// DB-2: …"). Variable names are resolved from the
// constants in internal/config. It keeps checklist.Needs honest.
func ScanNeeds(root string) (map[string][]string, error) {
	consts, err := configConsts(filepath.Join(root, "internal", "config"))
	if err != nil {
		return nil, err
	}
	entry, err := EntryPoints(root)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, dir := range []string{"launch", "smoke", "functional", "postlaunch"} {
		pkg, err := scanPkgNeeds(filepath.Join(root, dir), dir, consts, entry)
		if err != nil {
			return nil, err
		}
		for row, vars := range pkg {
			out[row] = mergeSorted(out[row], vars)
		}
	}
	return out, nil
}

var rowDoc = regexp.MustCompile(`^(?:\w+ checks )?([A-Z]{2,3}-\d+)[:\s]`)

// EntryPoints maps "pkg.Func" called by each tagged checklist test to its
// rows: the tagged test is three lines, Item + the check function. Calls to
// helpers declared in the test files themselves (a shared flow, say) are
// followed, and unqualified calls name functions of the package itself.
func EntryPoints(root string) (map[string][]string, error) {
	out := map[string][]string{}
	fset := token.NewFileSet()
	for _, dir := range []string{"launch", "smoke", "functional", "postlaunch"} {
		entries, err := os.ReadDir(filepath.Join(root, dir))
		if err != nil {
			continue
		}
		local := map[string]*ast.FuncDecl{} // functions declared in tagged test files
		var tests []*ast.FuncDecl
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			path := filepath.Join(root, dir, e.Name())
			src, err := os.ReadFile(path)
			if err != nil || buildTags(src) == "" {
				continue
			}
			f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
			if err != nil {
				continue
			}
			for _, d := range f.Decls {
				if fn, ok := d.(*ast.FuncDecl); ok && fn.Body != nil && fn.Recv == nil {
					local[fn.Name.Name] = fn
					if strings.HasPrefix(fn.Name.Name, "Test") {
						tests = append(tests, fn)
					}
				}
			}
		}
		for _, fn := range tests {
			var row string
			var called []string
			seen := map[string]bool{}
			var visit func(body *ast.BlockStmt)
			visit = func(body *ast.BlockStmt) {
				ast.Inspect(body, func(n ast.Node) bool {
					call, ok := n.(*ast.CallExpr)
					if !ok {
						return true
					}
					switch f := call.Fun.(type) {
					case *ast.SelectorExpr:
						x, ok := f.X.(*ast.Ident)
						if !ok {
							return true
						}
						if x.Name == "check" && f.Sel.Name == "Item" && len(call.Args) == 2 {
							if lit, ok := call.Args[1].(*ast.BasicLit); ok {
								row, _ = strconv.Unquote(lit.Value)
							}
						} else if x.Name == dir {
							called = append(called, dir+"."+f.Sel.Name)
						}
					case *ast.Ident:
						if h, ok := local[f.Name]; ok {
							if !seen[f.Name] && !strings.HasPrefix(f.Name, "Test") {
								seen[f.Name] = true
								visit(h.Body)
							}
						} else {
							called = append(called, dir+"."+f.Name)
						}
					}
					return true
				})
			}
			visit(fn.Body)
			if row != "" {
				for _, c := range called {
					out[c] = append(out[c], row)
				}
			}
		}
	}
	return out, nil
}

// CheckFuncs returns, per row, the check function its tagged test calls when
// that function has the standard signature func(check.T, *target.Env).
func CheckFuncs(root string) (map[string]string, error) {
	ep, err := EntryPoints(root)
	if err != nil {
		return nil, err
	}
	std := map[string]bool{}
	fset := token.NewFileSet()
	for _, dir := range []string{"launch", "smoke", "functional", "postlaunch"} {
		entries, _ := os.ReadDir(filepath.Join(root, dir))
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(root, dir, e.Name()), nil, parser.SkipObjectResolution)
			if err != nil {
				continue
			}
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Recv != nil || !fn.Name.IsExported() || fn.Type.Params == nil || len(fn.Type.Params.List) != 2 || fn.Type.Results != nil {
					continue
				}
				if types := exprString(fn.Type.Params.List[0].Type) + "," + exprString(fn.Type.Params.List[1].Type); types == "check.T,*target.Env" {
					std[dir+"."+fn.Name.Name] = true
				}
			}
		}
	}
	out := map[string]string{}
	for fn, rows := range ep {
		if !std[fn] {
			continue
		}
		for _, r := range rows {
			if cur, ok := out[r]; !ok || fn < cur {
				out[r] = fn
			}
		}
	}
	return out, nil
}

func exprString(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.StarExpr:
		return "*" + exprString(x.X)
	case *ast.SelectorExpr:
		return exprString(x.X) + "." + x.Sel.Name
	}
	return "?"
}

type funcInfo struct {
	needs     []string
	needFuncs []string // functions whose returned list is passed to check.Need
	calls     []string
	refs      []string // every config.X in the body
}

func scanPkgNeeds(dir, pkgName string, consts map[string]string, entry map[string][]string) (map[string][]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	fset := token.NewFileSet()
	funcs := map[string]*funcInfo{}
	rows := map[string][]string{} // row → row functions
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			key := fn.Name.Name
			if fn.Recv != nil && len(fn.Recv.List) > 0 {
				key = "(method)." + fn.Name.Name
			}
			fi := &funcInfo{refs: configRefs(fn.Body, consts)}
			funcs[key] = fi
			if fn.Recv == nil && fn.Name.IsExported() {
				for _, row := range entry[pkgName+"."+key] {
					rows[row] = append(rows[row], key)
				}
				if fn.Doc != nil && len(entry[pkgName+"."+key]) == 0 {
					if m := rowDoc.FindStringSubmatch(fn.Doc.Text()); m != nil {
						rows[m[1]] = append(rows[m[1]], key)
					}
				}
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				switch fun := call.Fun.(type) {
				case *ast.Ident:
					fi.calls = append(fi.calls, fun.Name)
				case *ast.SelectorExpr:
					if x, ok := fun.X.(*ast.Ident); ok && x.Name == "check" {
						switch fun.Sel.Name {
						case "Need":
							for _, a := range call.Args[min(2, len(call.Args)):] {
								fi.needs = append(fi.needs, configRefs(a, consts)...)
								if c, ok := a.(*ast.CallExpr); ok {
									if id, ok := c.Fun.(*ast.Ident); ok {
										fi.needFuncs = append(fi.needFuncs, id.Name)
									}
								}
							}
						case "NotConfigured":
							if len(call.Args) >= 3 {
								fi.needs = append(fi.needs, configRefs(call.Args[2], consts)...)
							}
						}
					} else {
						fi.calls = append(fi.calls, "(method)."+fun.Sel.Name)
					}
				}
				return true
			})
		}
	}
	out := map[string][]string{}
	for row, fns := range rows {
		seen := map[string]bool{}
		var vars []string
		var walk func(string)
		walk = func(name string) {
			if seen[name] {
				return
			}
			seen[name] = true
			fi, ok := funcs[name]
			if !ok {
				return
			}
			vars = append(vars, fi.needs...)
			for _, nf := range fi.needFuncs {
				if h, ok := funcs[nf]; ok {
					vars = append(vars, h.refs...)
				}
			}
			for _, c := range fi.calls {
				walk(c)
			}
		}
		for _, fn := range fns {
			walk(fn)
		}
		out[row] = mergeSorted(nil, vars)
	}
	return out, nil
}

// configRefs returns the variable names of config.X selectors in an expression.
func configRefs(e ast.Node, consts map[string]string) []string {
	var out []string
	ast.Inspect(e, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); ok && x.Name == "config" {
			if v, ok := consts[sel.Sel.Name]; ok {
				out = append(out, v)
			}
		}
		return true
	})
	return out
}

// configConsts maps constant identifiers of internal/config to their values.
func configConsts(dir string) (map[string]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	out := map[string]string{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, s := range gd.Specs {
				vs := s.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							if v, err := strconv.Unquote(lit.Value); err == nil {
								out[n.Name] = v
							}
						}
					}
				}
			}
		}
	}
	return out, nil
}

func mergeSorted(a, b []string) []string {
	m := map[string]bool{}
	for _, s := range append(append([]string(nil), a...), b...) {
		m[s] = true
	}
	out := make([]string, 0, len(m))
	for s := range m {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
