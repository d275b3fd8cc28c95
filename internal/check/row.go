package check

import (
	"strings"

	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/target"
)

// Row is one checklist row as the suite runs it, declared once in its phase
// package's table (launch.Rows, smoke.Rows, functional.Rows, postlaunch.Rows).
type Row struct {
	// ID is the checklist id ("DB-2"); the manifest in internal/checklist
	// holds its phase, section and verbatim line.
	ID string
	// Test is the name of the tagged test that runs the row (t.Name(), so a
	// step of an ordered test is "Parent/Step"). The report names it when the
	// row produced no result; the harness fails a test that runs a row under
	// another name.
	Test string
	// Check judges the row. Every row has this one signature.
	Check func(T, *target.Env)
	// Needs are the variables a live run of the row needs: a missing one
	// fails the row (or waives it) before the check starts, and
	// `launchcheck doctor` names it. An entry "A|B" (AnyOf) is satisfied by
	// either variable. A variable with a default is never missing.
	Needs []string
	// Optional are variables the check reads when they are set and that
	// have no default (an empty value means "not used"); they are never
	// required. Reading a variable that is in neither list and has no
	// default fails the honesty test of internal/rows.
	Optional []string
}

// AnyOf is a Needs entry satisfied by any one of names.
func AnyOf(names ...string) string { return strings.Join(names, "|") }

// Alternatives splits a Needs entry into its variable names.
func Alternatives(need string) []string { return strings.Split(need, "|") }

// Missing returns the entries of needs that cfg does not satisfy, each as
// its display text: "A" or "A (or B)".
func Missing(cfg *config.Config, needs ...string) []string {
	var out []string
	for _, n := range needs {
		alts := Alternatives(n)
		ok := false
		for _, a := range alts {
			if cfg.Get(a) != "" {
				ok = true
				break
			}
		}
		if !ok {
			s := alts[0]
			if len(alts) > 1 {
				s += " (or " + strings.Join(alts[1:], ", ") + ")"
			}
			out = append(out, s)
		}
	}
	return out
}

// Variables flattens needs (and their alternatives) into variable names.
func Variables(needs ...string) []string {
	var out []string
	for _, n := range needs {
		out = append(out, Alternatives(n)...)
	}
	return out
}

// RunRow runs r the way the suite always runs a row: Item (mark the test as
// the row), Need (in a live run, fail or waive when a declared variable is
// missing) and Check.
func RunRow(t T, r Row, env *target.Env) {
	t.Helper()
	Item(t, r.ID)
	if env.Cfg.Live() {
		Need(t, env.Cfg, r.Needs...)
	}
	r.Check(t, env)
}
