// Package rows joins the phase packages' row tables (launch.Rows,
// smoke.Rows, functional.Rows, postlaunch.Rows) into the checklist as the
// suite runs it. The doctor, `launchcheck env --github`, the report and the
// hardening tests read it; nothing parses source.
package rows

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"

	"github.com/hustlexp/launchcheck/functional"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checklist"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/launch"
	"github.com/hustlexp/launchcheck/postlaunch"
	"github.com/hustlexp/launchcheck/smoke"
)

// Tables are the phase packages' tables, by package directory.
var Tables = map[string][]check.Row{
	"launch":     launch.Rows,
	"smoke":      smoke.Rows,
	"functional": functional.Rows,
	"postlaunch": postlaunch.Rows,
}

// Row is a table entry with where it is declared.
type Row struct {
	check.Row
	Package string // the phase package directory: launch, smoke, functional, postlaunch
}

// All returns every declared row in the manifest's order (rows the
// manifest does not know come last, in table order).
func All() []Row {
	by := map[string]Row{}
	var unknown []Row
	for _, pkg := range []string{"launch", "smoke", "functional", "postlaunch"} {
		for _, r := range Tables[pkg] {
			if _, ok := checklist.ByID(r.ID); !ok {
				unknown = append(unknown, Row{r, pkg})
				continue
			}
			if _, dup := by[r.ID]; !dup {
				by[r.ID] = Row{r, pkg}
			}
		}
	}
	var out []Row
	for _, cr := range checklist.Rows {
		if r, ok := by[cr.ID]; ok {
			out = append(out, r)
		}
	}
	return append(out, unknown...)
}

// ByID returns the declared row with the given id.
func ByID(id string) (Row, bool) {
	for _, r := range All() {
		if r.ID == id {
			return r, true
		}
	}
	return Row{}, false
}

// CheckName is the check function's qualified name, e.g.
// "launch.MigrationsApplied" (read from the binary, not the source).
func (r Row) CheckName() string {
	if r.Check == nil {
		return ""
	}
	name := runtime.FuncForPC(reflect.ValueOf(r.Check).Pointer()).Name()
	name = name[strings.LastIndexByte(name, '/')+1:]
	return strings.TrimSuffix(name, "-fm")
}

// Validate proves the tables against the manifest: every manifest line is
// exactly one row, every row a manifest line, in a package that runs its
// phase, with a check, a unique test name and declared variables only.
func Validate() error {
	var errs []error
	seen := map[string]string{}
	tests := map[string]string{}
	for _, pkg := range []string{"launch", "smoke", "functional", "postlaunch"} {
		for _, r := range Tables[pkg] {
			cr, ok := checklist.ByID(r.ID)
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("%s.Rows declares %q, which is not a line of the checklist manifest", pkg, r.ID))
				continue
			case seen[r.ID] != "":
				errs = append(errs, fmt.Errorf("row %s is declared twice (%s.Rows and %s.Rows)", r.ID, seen[r.ID], pkg))
				continue
			}
			seen[r.ID] = pkg
			if want := phasePackages[cr.Phase]; !strings.Contains(want, pkg) {
				errs = append(errs, fmt.Errorf("row %s (%s) is declared in %s.Rows, want %s", r.ID, cr.Phase, pkg, want))
			}
			if r.Check == nil {
				errs = append(errs, fmt.Errorf("row %s has no Check", r.ID))
			}
			if !strings.HasPrefix(r.Test, "Test") {
				errs = append(errs, fmt.Errorf("row %s: Test %q is not a test name", r.ID, r.Test))
			}
			if other, dup := tests[r.Test]; dup {
				errs = append(errs, fmt.Errorf("rows %s and %s both name test %s", other, r.ID, r.Test))
			}
			tests[r.Test] = r.ID
			for _, v := range append(check.Variables(r.Needs...), r.Optional...) {
				if !declared(v) {
					errs = append(errs, fmt.Errorf("row %s names %s, which internal/config does not declare", r.ID, v))
				}
			}
		}
	}
	for _, cr := range checklist.Rows {
		if seen[cr.ID] == "" {
			errs = append(errs, fmt.Errorf("checklist line %s (%s) has no row in any table", cr.ID, cr.Line))
		}
	}
	return errors.Join(errs...)
}

// phasePackages are the packages whose tests run each phase.
var phasePackages = map[checklist.Phase]string{
	checklist.Prelaunch: "launch",
	checklist.T0:        "launch smoke functional",
	checklist.Day1:      "postlaunch",
	checklist.Week1:     "postlaunch",
}

func declared(name string) bool { _, ok := config.Lookup(name); return ok }
