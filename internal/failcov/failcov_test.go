//go:build !prelaunch && !t0 && !day1 && !week1

package failcov

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A tiny module: a check package with the T interface and the two check
// functions, and a package of checks with one failure statement of each kind.
var synthetic = map[string]string{
	"go.mod": "module example.com/syn\n\ngo 1.22\n",
	"internal/check/check.go": `package check

import "fmt"

type T interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Error(args ...any)
	Fatal(args ...any)
}

func Unverified(t T, format string, args ...any) { t.Fatalf("UNVERIFIED: "+format, args...) }

func NotConfigured(t T, cfg any, what string) { t.Fatalf("not configured: %s", fmt.Sprint(what)) }
`,
	"rows/rows.go": `package rows

import (
	"errors"
	"testing"

	chk "example.com/syn/internal/check"
)

type wrapped struct {
	chk.T
	prefix string
}

func (w wrapped) Errorf(f string, a ...any) { w.T.Errorf(w.prefix+f, a...) }

// Row fails in one of several ways depending on n.
func Row(t chk.T, n int) {
	switch n {
	case 1:
		t.Errorf("row one failed: %d", n)
	case 2:
		t.Fatalf("row two failed")
	case 3:
		chk.Unverified(t, "no data for %d", n)
	case 4:
		chk.NotConfigured(t, nil, "X not set")
	case 5:
		err := errors.New("boom")
		t.Fatal(err)
	case 6:
		wrapped{t, "w: "}.Errorf("wrapped")
	case 7:
		func() {
			t.Errorf("in a closure")
		}()
	case 8:
		helper := func(t int) { _ = t } // shadows t: not a failure statement
		helper(1)
		var errs []error
		_ = errors.Join(errs...)
	}
}

func bench(tb testing.TB) { tb.Error("bench failed") }

var errFmt = errors.New("not a failure statement")
`,
	"rows/rows_test.go": `package rows

import (
	"runtime"
	"testing"
)

type rec struct{ failed bool }

func (r *rec) Helper()                  {}
func (r *rec) Errorf(string, ...any)    { r.failed = true }
func (r *rec) Fatalf(string, ...any)    { r.failed = true; runtime.Goexit() }
func (r *rec) Error(...any)             { r.failed = true }
func (r *rec) Fatal(...any)             { r.failed = true; runtime.Goexit() }

func run(n int) {
	done := make(chan struct{})
	go func() { defer close(done); Row(&rec{}, n) }()
	<-done
}

// Covers 1, 3 and 7 only.
func TestSome(t *testing.T) { run(1); run(3); run(7); run(8) }
`,
}

func writeSynthetic(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range synthetic {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFindListsEveryFailureStatement(t *testing.T) {
	dir := writeSynthetic(t)
	stmts, err := Find(dir, []string{"rows"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range stmts {
		got = append(got, s.Func+" "+s.Call+" "+s.Message)
	}
	want := []string{
		"wrapped.Errorf w.T.Errorf w.prefix + f",
		"Row t.Errorf row one failed: %d",
		"Row t.Fatalf row two failed",
		"Row chk.Unverified no data for %d",
		"Row chk.NotConfigured X not set",
		"Row t.Fatal err",
		"Row t.Errorf in a closure",
		"bench tb.Error bench failed",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("found:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if stmts[0].File != "rows/rows.go" || stmts[1].Line != 21 {
		t.Fatalf("position: %s %s", stmts[0].Where(), stmts[1].Where())
	}
}

// The real thing: go test -coverpkg over the synthetic package, then judge.
func TestJudgeAgainstARealCoverProfile(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go not on PATH")
	}
	dir := writeSynthetic(t)
	cov := filepath.Join(dir, "cover.out")
	cmd := exec.Command(goBin, "test", "-count=1", "-coverpkg=./rows", "-coverprofile="+cov, "./rows")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test: %v\n%s", err, out)
	}
	f, err := os.Open(cov)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	prof, err := ParseProfile(f)
	if err != nil {
		t.Fatal(err)
	}
	stmts, err := Find(dir, []string{"rows"})
	if err != nil {
		t.Fatal(err)
	}
	r := Judge(stmts, prof, "example.com/syn", nil, 30)
	if r.Covered != 3 || r.Total() != 8 {
		var b strings.Builder
		r.Write(&b)
		t.Fatalf("covered %d of %d, want 3 of 8:\n%s", r.Covered, r.Total(), b.String())
	}
	for _, s := range r.Stmts {
		wantCovered := s.Message == "row one failed: %d" || s.Message == "no data for %d" || s.Message == "in a closure"
		if s.Covered != wantCovered {
			t.Errorf("%s %q covered=%v, want %v", s.Where(), s.Message, s.Covered, wantCovered)
		}
	}
	if r.OK() || len(r.Errors) != 5 {
		t.Fatalf("want 5 errors (uncovered, not exempt), got %q", r.Errors)
	}

	ex, err := ParseExemptions("ex.txt", strings.NewReader(`# comment
rows/rows.go:Row: row two | fatal path needs a real testing.T
rows/rows.go:Row: X not | configuration is always present in the synthetic world
rows/rows.go:Row: err | cannot be injected
rows/rows.go:wrapped.Errorf: w.prefix | wrapper
rows/rows.go:bench: bench | bench only
`))
	if err != nil {
		t.Fatal(err)
	}
	r = Judge(stmts, prof, "example.com/syn", ex, 30)
	if !r.OK() || r.Exempt != 5 {
		t.Fatalf("all uncovered exempt: want OK, got %q (exempt %d)", r.Errors, r.Exempt)
	}
	var b strings.Builder
	r.Write(&b)
	if !strings.Contains(b.String(), "exempt    rows/rows.go:23 Row: t.Fatalf \"row two failed\"") ||
		!strings.Contains(b.String(), "3/8 covered (37.5%), 5 exempt, 0 in the backlog (not yet proven), 0 uncovered and unlisted") {
		t.Fatalf("list:\n%s", b.String())
	}

	// The backlog: tolerated, counted apart, and listed as backlog.
	bl, err := ParseExemptions("bl.txt", strings.NewReader("rows/rows.go:Row: row two | not yet proven\nrows/rows.go:Row: X not | not yet proven\n"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range bl {
		bl[i].Backlog = true
	}
	r = Judge(stmts, prof, "example.com/syn", append(append([]Exemption(nil), ex[2:]...), bl...), 30)
	if !r.OK() || r.Backlog != 2 || r.Exempt != 3 {
		t.Fatalf("backlog: ok=%v backlog=%d exempt=%d errors=%q", r.OK(), r.Backlog, r.Exempt, r.Errors)
	}
	if got := r.BacklogLines("x"); len(got) != 2 || got[0] != "rows/rows.go:Row: row two failed | x" {
		t.Fatalf("BacklogLines = %q", got)
	}

	// Under the floor.
	r = Judge(stmts, prof, "example.com/syn", ex, 40)
	if r.OK() || !strings.Contains(strings.Join(r.Errors, "\n"), "37.5% is under the floor 40.0%") {
		t.Fatalf("floor: %q", r.Errors)
	}

	// Stale: an exemption for a covered statement and one for nothing.
	ex2, err := ParseExemptions("ex.txt", strings.NewReader(strings.Join([]string{
		"rows/rows.go:Row: row one | now covered",
		"rows/rows.go:Gone: anything | the function was removed",
	}, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	r = Judge(stmts, prof, "example.com/syn", append(ex, ex2...), 30)
	all := strings.Join(r.Errors, "\n")
	if !strings.Contains(all, "ex.txt:1: stale exemption \"rows/rows.go:Row: row one | now covered\": the statement is now covered") ||
		!strings.Contains(all, "ex.txt:2: stale exemption") || !strings.Contains(all, "no failure statement matches it") {
		t.Fatalf("stale: %q", r.Errors)
	}
}

func TestJudgeNamesAProfileWithoutTheFile(t *testing.T) {
	stmts := []Stmt{{File: "rows/rows.go", Line: 3, Col: 2, Func: "Row", Call: "t.Errorf", Message: "x"}}
	r := Judge(stmts, Profile{}, "example.com/syn", nil, 0)
	if r.OK() || !strings.Contains(strings.Join(r.Errors, "\n"), "no blocks for rows/rows.go") {
		t.Fatalf("%q", r.Errors)
	}
}

func TestInnermostBlockWins(t *testing.T) {
	// outer block spans a closure; the closure's own block is not executed.
	p := Profile{"m/f.go": {{10, 2, 20, 3, 1}, {12, 5, 14, 6, 0}}}
	stmts := []Stmt{
		{File: "f.go", Line: 13, Col: 4, Func: "F", Call: "t.Errorf", Message: "inner"},
		{File: "f.go", Line: 11, Col: 3, Func: "F", Call: "t.Errorf", Message: "outer"},
	}
	r := Judge(stmts, p, "m", nil, 0)
	if r.Stmts[0].Covered || !r.Stmts[1].Covered {
		t.Fatalf("inner covered=%v outer covered=%v", r.Stmts[0].Covered, r.Stmts[1].Covered)
	}
}

func TestBadInputNamesTheCause(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"rows/rows.go:Row: msg", "no ' | reason'"},
		{"rows/rows.go:Row: msg | ", "no ' | reason'"},
		{"rows/rows.go Row msg | why", "no file"},
		{"rows/rows.go:Row msg | why", "no function"},
		{"rows/rows.go:Row:  | why", "empty message prefix"},
		{"rows.txt:Row: m | why", "not a .go file"},
	} {
		_, err := ParseExemptions("ex.txt", strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "ex.txt:1:") {
			t.Errorf("%q: err %v, want %q", tc.in, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"f.go:1.2,3.4 1 1\n", "no 'mode:' line"},
		{"mode: set\nnonsense\n", "line 2"},
		{"mode: set\nf.go:1.2,x 1 1\n", "line 2"},
	} {
		_, err := ParseProfile(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err %v, want %q", tc.in, err, tc.want)
		}
	}
	if _, err := Find(t.TempDir(), []string{"missing"}); err == nil || !strings.Contains(err.Error(), "package missing") {
		t.Errorf("missing package dir: %v", err)
	}
}
