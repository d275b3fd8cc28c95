//go:build !prelaunch && !t0 && !day1 && !week1

package failcov

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const moduleRoot = "../.."

// The Makefile's PHASE_PKGS (the -coverpkg list) and PhasePackages (the
// directories Find reads) must name the same packages, or check code moved
// into a new package silently leaves the gate.
func TestPhasePackagesMatchTheMakefile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(moduleRoot, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^PHASE_PKGS\s*:=\s*(.*)$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("Makefile: no PHASE_PKGS := line")
	}
	var mk []string
	for _, f := range strings.Fields(string(m[1])) {
		mk = append(mk, strings.TrimPrefix(f, "./"))
	}
	want := slices.Clone(PhasePackages)
	slices.Sort(mk)
	slices.Sort(want)
	if !slices.Equal(mk, want) {
		t.Errorf("Makefile PHASE_PKGS = %v, failcov.PhasePackages = %v: keep them the same", mk, want)
	}
}

// Every line of the exemptions and backlog files names a failure statement
// that exists (file, function, message prefix): a moved or renamed file must
// take its lines along.
func TestListsNameExistingStatements(t *testing.T) {
	stmts, err := Find(moduleRoot, PhasePackages)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"exemptions.txt", "backlog.txt"} {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		ex, err := ParseExemptions(name, f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ex {
			if !slices.ContainsFunc(stmts, e.matches) {
				t.Errorf("%s:%d: no failure statement %s:%s: %q in %v", name, e.Line, e.File, e.Func, e.Prefix, PhasePackages)
			}
		}
	}
}
