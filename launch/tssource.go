package launch

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/hustlexp/launchcheck/internal/tssource"
)

// tsFile is one parsed TypeScript/JavaScript source of the start path.
type tsFile struct {
	path    string
	code    string            // comments stripped
	blank   string            // code with string contents blanked
	imports map[string]tsBind // local name → imported binding
	nsImps  map[string]string // namespace name → module file
	sideFx  []tsSideEffect    // import './x' (runs the module's top level)
	declMap map[string][2]int
}

type tsBind struct{ file, name string }

type tsSideEffect struct {
	at   int
	file string
}

var (
	tsImportFrom = regexp.MustCompile(`(?s)\bimport\s+(type\s+)?([^;]*?)\s+from\s+["']([^"']+)["']`)
	tsImportBare = regexp.MustCompile(`\bimport\s+["']([^"']+)["']`)
	tsRequire    = regexp.MustCompile(`(?:const|let|var)\s+(\{[^}]*\}|[A-Za-z_$][\w$]*)\s*=\s*(?:await\s+import|require)\s*\(\s*["']([^"']+)["']\s*\)`)
	tsCall       = regexp.MustCompile(`([A-Za-z_$][\w$]*)(?:\s*\.\s*([A-Za-z_$][\w$]*))?\s*\(`)
	tsListen     = regexp.MustCompile(`(\bserve\s*\(\s*\{|\.listen\s*\(|\bBun\.serve\s*\(|\bDeno\.serve\s*\()`)
	tsKeywords   = map[string]bool{"if": true, "for": true, "while": true, "switch": true, "catch": true, "function": true, "return": true,
		"typeof": true, "await": true, "new": true, "import": true, "require": true, "super": true, "constructor": true}
)

// resolveTSImport maps a relative import to a file: the path itself, with a
// .ts/.tsx/.js/.mjs/.cjs extension, a .js spelling of a .ts file, or an
// index file. Non-relative (package) imports are not followed.
func resolveTSImport(from, spec string) string {
	if !strings.HasPrefix(spec, "./") && !strings.HasPrefix(spec, "../") {
		return ""
	}
	base := filepath.Join(filepath.Dir(from), spec)
	stem := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(base, ".js"), ".mjs"), ".cjs"), ".jsx")
	cands := []string{base}
	for _, ext := range []string{".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs"} {
		cands = append(cands, stem+ext)
	}
	for _, ix := range []string{"index.ts", "index.tsx", "index.js"} {
		cands = append(cands, filepath.Join(base, ix))
	}
	for _, c := range cands {
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			return c
		}
	}
	return ""
}

func parseTSFile(path string) (*tsFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f := &tsFile{path: path, code: tssource.StripComments(string(b)), imports: map[string]tsBind{}, nsImps: map[string]string{}}
	f.blank = tssource.BlankStrings(f.code)
	bind := func(clause, file string) {
		clause = strings.TrimSpace(clause)
		if i := strings.Index(clause, "{"); i >= 0 {
			j := strings.LastIndex(clause, "}")
			if j < i {
				return
			}
			for _, part := range strings.Split(clause[i+1:j], ",") {
				fs := strings.Fields(strings.TrimPrefix(strings.TrimSpace(part), "type "))
				switch {
				case len(fs) == 1:
					f.imports[fs[0]] = tsBind{file, fs[0]}
				case len(fs) == 3 && fs[1] == "as":
					f.imports[fs[2]] = tsBind{file, fs[0]}
				}
			}
			clause = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(clause[:i]), ","))
		}
		if m := regexp.MustCompile(`\*\s+as\s+([A-Za-z_$][\w$]*)`).FindStringSubmatch(clause); m != nil {
			f.nsImps[m[1]] = file
		} else if clause != "" && !strings.ContainsAny(clause, "{}*") {
			f.imports[strings.TrimSpace(strings.TrimSuffix(clause, ","))] = tsBind{file, "default"}
		}
	}
	for _, m := range tsImportFrom.FindAllStringSubmatch(f.code, -1) {
		if m[1] != "" {
			continue // import type: no code runs
		}
		if file := resolveTSImport(path, m[3]); file != "" {
			bind(m[2], file)
		}
	}
	for _, m := range tsRequire.FindAllStringSubmatch(f.code, -1) {
		if file := resolveTSImport(path, m[2]); file != "" {
			if strings.HasPrefix(m[1], "{") {
				bind(m[1], file)
			} else {
				f.nsImps[m[1]] = file
			}
		}
	}
	for _, m := range tsImportBare.FindAllStringSubmatchIndex(f.code, -1) {
		if file := resolveTSImport(path, f.code[m[2]:m[3]]); file != "" {
			f.sideFx = append(f.sideFx, tsSideEffect{m[0], file})
		}
	}
	return f, nil
}

var (
	tsFuncDecl  = regexp.MustCompile(`\bfunction\s*\*?\s*([A-Za-z_$][\w$]*)\s*(?:<[^>(]*>)?\s*\(`)
	tsConstFunc = regexp.MustCompile(`\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=;]+)?=\s*(?:async\s+)?(?:function\b[^(]*\(|\(|[A-Za-z_$][\w$]*\s*=>)`)
	tsDefault   = regexp.MustCompile(`\bexport\s+default\s+(?:async\s+)?(?:function\b[^(]*)?\(`)
)

// bodyFrom returns the {…} body of a function whose declaration match ends
// at i (just after "(" of its parameters, or after "=>").
func (f *tsFile) bodyFrom(i int) (start, end int, ok bool) {
	s := f.blank
	if i > 0 && s[i-1] == '(' { // skip the parameter list
		depth := 1
		for ; i < len(s) && depth > 0; i++ {
			switch s[i] {
			case '(':
				depth++
			case ')':
				depth--
			}
		}
	}
	open := strings.IndexAny(s[i:], "{;")
	if open < 0 || s[i+open] == ';' {
		return 0, 0, false
	}
	open += i
	depth := 0
	for j := open; j < len(s); j++ {
		switch s[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return open, j + 1, true
			}
		}
	}
	return open, len(s), true
}

// decls maps every function declared in the file (function NAME, const NAME
// = (…) => / function) to its body span; "default" is export default.
func (f *tsFile) decls() map[string][2]int {
	if f.declMap != nil {
		return f.declMap
	}
	f.declMap = map[string][2]int{}
	add := func(name string, at int) {
		if _, dup := f.declMap[name]; dup {
			return
		}
		if a, z, ok := f.bodyFrom(at); ok {
			f.declMap[name] = [2]int{a, z}
		}
	}
	for _, m := range tsFuncDecl.FindAllStringSubmatchIndex(f.blank, -1) {
		add(f.blank[m[2]:m[3]], m[1])
	}
	for _, m := range tsConstFunc.FindAllStringSubmatchIndex(f.blank, -1) {
		add(f.blank[m[2]:m[3]], m[1])
	}
	if m := tsDefault.FindStringIndex(f.blank); m != nil {
		add("default", m[1])
	}
	return f.declMap
}

// funcBody is the body span of a function declared in the file.
func (f *tsFile) funcBody(name string) (start, end int, ok bool) {
	d, ok := f.decls()[name]
	return d[0], d[1], ok
}

// inNestedDecl: position at lies in the body of a function declared inside
// [from, to) — code that runs only when that function is called.
func (f *tsFile) inNestedDecl(at, from, to int) bool {
	for _, d := range f.decls() {
		if d[0] > from && d[1] <= to && at >= d[0] && at < d[1] {
			return true
		}
	}
	return false
}

// startEvent is the first of validateConfig() / listen reached on the start path.
type startEvent struct {
	kind  string   // "validate", "listen" or "" (neither reached)
	expr  string   // the listen expression
	chain []string // file:line steps leading to it
	files int      // files read
}

// followStart walks the server entry's code in source order, descending into
// the functions it calls (imported from relative modules or declared in the
// same file) and into side-effect imports, until it reaches a
// validateConfig() call or a listen/serve call.
func followStart(root, entry string) (startEvent, error) {
	w := &startWalker{root: root, files: map[string]*tsFile{}, seen: map[string]bool{}}
	f, err := w.load(entry)
	if err != nil {
		return startEvent{}, err
	}
	r, _ := w.walk(f, 0, len(f.blank), nil, 0)
	r.files = len(w.files)
	return r, nil
}

// startWalker is the state of one followStart: the files read and the
// functions (file#name) already descended into.
type startWalker struct {
	root  string
	files map[string]*tsFile
	seen  map[string]bool
}

// startStep is one thing on the start path, at offset at of its file: a
// validateConfig() call, a listen/serve call (expr), or a call/side-effect
// import (bind) to descend into.
type startStep struct {
	at         int
	kind, expr string // "validate", "listen", "call" or "module"
	bind       tsBind
}

func (w *startWalker) load(p string) (*tsFile, error) {
	if f, ok := w.files[p]; ok {
		return f, nil
	}
	f, err := parseTSFile(p)
	if err != nil {
		return nil, err
	}
	w.files[p] = f
	return f, nil
}

// rel shows p relative to the root when it lies inside it.
func (w *startWalker) rel(p string) string {
	if r, err := filepath.Rel(w.root, p); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return p
}

// walk follows the steps of f[from:to] in source order (at most 12 calls
// deep) and returns the first validateConfig() or listen reached.
func (w *startWalker) walk(f *tsFile, from, to int, chain []string, depth int) (startEvent, bool) {
	if depth > 12 {
		return startEvent{}, false
	}
	for _, e := range startSteps(f, from, to) {
		if f.inNestedDecl(e.at, from, to) {
			continue
		}
		line := strings.Count(f.code[:e.at], "\n") + 1
		step := fmt.Sprintf("%s:%d", w.rel(f.path), line)
		switch e.kind {
		case "validate":
			return startEvent{kind: "validate", chain: append(append([]string{}, chain...), step+" validateConfig()")}, true
		case "listen":
			return startEvent{kind: "listen", expr: e.expr, chain: append(append([]string{}, chain...), step+" "+e.expr)}, true
		}
		if r, found := w.descend(e.bind, step, chain, depth); found {
			return r, true
		}
	}
	return startEvent{}, false
}

// descend walks into the body of a called function (or a side-effect
// import's top level), once per function.
func (w *startWalker) descend(b tsBind, step string, chain []string, depth int) (startEvent, bool) {
	key := b.file + "#" + b.name
	if w.seen[key] {
		return startEvent{}, false
	}
	w.seen[key] = true
	g, err := w.load(b.file)
	if err != nil {
		return startEvent{}, false
	}
	var s, end int
	name := b.name
	if name == "" { // side-effect import: the module's top level
		s, end, name = 0, len(g.blank), "import "+w.rel(g.path)
	} else if a, z, found := g.funcBody(name); found {
		s, end, name = a, z, name+"()"
	} else {
		s, end, name = 0, len(g.blank), name+"() (declaration not found: whole module)"
	}
	return w.walk(g, s, end, append(append([]string{}, chain...), step+" → "+name+" in "+w.rel(g.path)), depth+1)
}

// startSteps lists, in source order, the side-effect imports, listen/serve
// calls, validateConfig() calls and calls of functions this file can
// resolve (imported from relative modules or declared here) in f[from:to].
func startSteps(f *tsFile, from, to int) []startStep {
	var evs []startStep
	for _, s := range f.sideFx {
		if s.at >= from && s.at < to {
			evs = append(evs, startStep{at: s.at, kind: "module", bind: tsBind{s.file, ""}})
		}
	}
	seg := f.blank[from:to]
	for _, m := range tsListen.FindAllStringIndex(seg, -1) {
		evs = append(evs, startStep{at: from + m[0], kind: "listen", expr: strings.TrimSpace(seg[m[0]:m[1]])})
	}
	for _, m := range tsCall.FindAllStringSubmatchIndex(seg, -1) {
		if e, ok := callStep(f, seg, from, m); ok {
			evs = append(evs, e)
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].at < evs[j].at })
	return evs
}

// callStep judges one tsCall match m of seg (which starts at offset from of
// f): a validateConfig() call, a call to descend into, or nothing to follow
// (a method call, a keyword, a declaration, an unresolvable name).
func callStep(f *tsFile, seg string, from int, m []int) (startStep, bool) {
	at := from + m[0]
	if at > 0 && (f.blank[at-1] == '.' || f.blank[at-1] == '$' || isIdentByte(f.blank[at-1])) {
		return startStep{}, false
	}
	first := seg[m[2]:m[3]]
	pre := strings.TrimSpace(f.blank[max(0, at-16):at])
	if tsKeywords[first] || strings.HasSuffix(pre, "function") || strings.HasSuffix(pre, "function*") {
		return startStep{}, false
	}
	switch {
	case m[4] >= 0: // ns.fn(
		if file, isNS := f.nsImps[first]; isNS {
			return startStep{at: at, kind: "call", bind: tsBind{file, seg[m[4]:m[5]]}}, true
		}
	case first == "validateConfig" || f.imports[first].name == "validateConfig":
		return startStep{at: at, kind: "validate"}, true
	default:
		if ib, imported := f.imports[first]; imported {
			return startStep{at: at, kind: "call", bind: ib}, true
		} else if _, _, local := f.funcBody(first); local {
			return startStep{at: at, kind: "call", bind: tsBind{f.path, first}}, true
		}
	}
	return startStep{}, false
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
