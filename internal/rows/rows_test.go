//go:build !prelaunch && !t0 && !day1 && !week1

package rows_test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checklist"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/hardening"
	"github.com/hustlexp/launchcheck/internal/rows"
	"github.com/hustlexp/launchcheck/internal/target"
)

// Every manifest line is exactly one row and every row a manifest line.
func TestTablesMatchManifest(t *testing.T) {
	require.NoError(t, rows.Validate())
	all := rows.All()
	require.Len(t, all, len(checklist.Rows))
	for i, r := range all {
		require.Equal(t, checklist.Rows[i].ID, r.ID, "rows.All() is in manifest order")
		require.NotEmpty(t, r.CheckName(), r.ID)
	}
}

// runWide are read by the check library for every row (the target, the run
// id, the waiver file), not by a row's check.
var runWide = map[string]bool{config.HustlexpTarget: true, config.RunID: true, config.Waivers: true}

var varName = regexp.MustCompile(`\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b`)

// notSet returns the declared variables a failure names as missing.
func notSet(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		i := strings.Index(line, "live config incomplete for ")
		if i < 0 {
			continue
		}
		for _, n := range varName.FindAllString(line[i:], -1) {
			if _, ok := config.Lookup(n); ok && n != config.Waivers {
				out = append(out, n)
			}
		}
	}
	return out
}

// TestRowsDeclareWhatTheyRead keeps Needs honest without parsing source:
// each row's check runs in-process on a live target (defaults aimed at a
// closed port); whenever it stops because a variable is not set, that
// variable is set (to a dead value) and the check runs again, until it stops
// for another reason. A read hook on the configuration records every
// variable read meanwhile: a read of a variable with no default that the row
// declares neither in Needs nor in Optional fails, naming the row and the
// table to fix.
func TestRowsDeclareWhatTheyRead(t *testing.T) {
	closed := checktest.ClosedPort(t)
	dead := hardening.DeadEnv(closed, 3*time.Second)
	base := map[string]string{config.HustlexpTarget: "staging", config.RunID: "needs"}
	for _, v := range config.Vars() {
		if v.Default != "" && dead[v.Name] != "" {
			base[v.Name] = dead[v.Name] // never "missing"; aimed at the closed port, not a real provider
		}
	}
	base[config.StressTimeScale] = dead[config.StressTimeScale] // WK-1's profile, scaled down
	for _, r := range rows.All() {
		t.Run(r.ID, func(t *testing.T) {
			declared := map[string]bool{}
			for _, v := range append(check.Variables(r.Needs...), r.Optional...) {
				declared[v] = true
			}
			var mu sync.Mutex
			read := map[string]bool{}
			record := func(name string) { mu.Lock(); read[name] = true; mu.Unlock() }
			run := func(kv map[string]string) checktest.Result {
				c, err := config.Load(func(k string) string { return kv[k] })
				require.NoError(t, err)
				env := &target.Env{Cfg: c.Observe(record), RunID: "needs"}
				return checktest.Run(t, 30*time.Second, func(ct check.T) { check.Item(ct, r.ID); r.Check(ct, env) })
			}
			kv := map[string]string{}
			for k, v := range base {
				kv[k] = v
			}
			var asked []string
			for i := 0; i < 12; i++ {
				res := run(kv)
				names := notSet(res.Text())
				progress := false
				for _, n := range names {
					if kv[n] == "" {
						val := dead[n]
						if val == "" {
							val = "deadtarget"
						}
						kv[n], progress = val, true
						asked = append(asked, n)
					}
				}
				if !progress {
					break
				}
			}
			// and once with everything set, to reach the branches past configuration
			run(dead)
			var bad []string
			for n := range read {
				v, _ := config.Lookup(n)
				if declared[n] || v.Default != "" || runWide[n] {
					continue
				}
				bad = append(bad, n)
			}
			sort.Strings(bad)
			for _, n := range bad {
				t.Errorf("%s reads %s, which has no default and is not declared: add it to %s's Needs (a live run requires it) or Optional (read only when set) in %s/rows.go",
					r.ID, n, r.ID, r.Package)
			}
			for _, n := range asked {
				if !declared[n] {
					t.Logf("%s: its check asked for %s", r.ID, n)
				}
			}
			if testing.Verbose() {
				fmt.Printf("SUMMARY %s asked=%s undeclared=%s\n", r.ID, strings.Join(asked, ","), strings.Join(bad, ","))
			}
		})
	}
}
