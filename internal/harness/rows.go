package harness

import (
	"strings"
	"testing"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/target"
)

// Row is the body of every tagged checklist test: it finds row id in table,
// marks the test as that row (Item), fails or waives it when a live run lacks
// a declared variable (Need), and runs its check against the target (Check).
func Row(t *testing.T, table []check.Row, id string) {
	t.Helper()
	RunRow(t, table, id, Target(t))
}

// RunRow is Row against a given target.
func RunRow(t *testing.T, table []check.Row, id string, env *target.Env) {
	t.Helper()
	r, ok := find(table, id)
	if !ok {
		t.Fatalf("row %s is not in this package's Rows table", id)
	}
	if r.Test != t.Name() {
		check.Item(t, r.ID)
		t.Fatalf("row %s is declared to run in test %s, but runs in %s: rename the test or fix Test in its Rows entry", r.ID, r.Test, t.Name())
	}
	check.RunRow(t, r, env)
}

// Ordered runs the rows of table as ordered steps of one test, t.Run each
// (named after the part of its Test after the slash), so every step reports
// its own row. share, when not nil, prepares what the steps share for the
// target (it hangs its cleanup on t, which runs after the last step).
func Ordered(t *testing.T, table []check.Row, share func(check.T, *target.Env)) {
	t.Helper()
	env := Target(t)
	if share != nil {
		share(t, env)
	}
	for _, r := range table {
		name := r.Test
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			name = name[i+1:]
		}
		t.Run(name, func(t *testing.T) { RunRow(t, table, r.ID, env) })
	}
}

func find(table []check.Row, id string) (check.Row, bool) {
	for _, r := range table {
		if r.ID == id {
			return r, true
		}
	}
	return check.Row{}, false
}
