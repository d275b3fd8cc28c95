//go:build !prelaunch && !t0 && !day1 && !week1

// Package leak runs every row's check in-process against a black hole and a
// closed port, and proves no check leaves goroutines behind once it has
// returned (a leaked goroutine is a hang waiting to happen in a long run).
package leak

import (
	"bytes"
	"net/http"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/hardening"
	"github.com/hustlexp/launchcheck/internal/rows"
	"github.com/hustlexp/launchcheck/internal/target"
)

const checkTimeout = 10 * time.Second

// TestHardenNoGoroutineLeak (make harden): each row of the tables
// (internal/rows), run as its tagged test runs it, against a black hole and a closed port: it must fail,
// return within its deadline, and leave no goroutine behind.
func TestHardenNoGoroutineLeak(t *testing.T) {
	cfg, err := config.FromEnv()
	if err != nil || !cfg.Bool(config.Harden) {
		t.Skip("slow end-to-end hardening: set HUSTLEXP_HARDEN=1 (make harden)")
	}
	for _, tc := range []struct{ name, addr string }{{"black hole", checktest.BlackHole(t)}, {"closed port", checktest.ClosedPort(t)}} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := config.Load(func(k string) string { return hardening.DeadEnv(tc.addr, checkTimeout)[k] })
			if err != nil {
				t.Fatal(err)
			}
			env := &target.Env{Cfg: c, RunID: "leaktest"}
			base := settle(0, 0)
			var summary []string
			for _, row := range rows.All() {
				r := checktest.Run(t, checkTimeout, func(ct check.T) { check.RunRow(ct, row.Row, env) })
				if !r.Failed {
					t.Errorf("%s %s against a dead target: a check that cannot fail", row.ID, r.Status())
				}
				if r.Elapsed > checkTimeout+5*time.Second {
					t.Errorf("%s returned after %s, deadline %s", row.ID, r.Elapsed.Round(100*time.Millisecond), checkTimeout)
				}
				http.DefaultClient.CloseIdleConnections()
				now := settle(base, 5*time.Second)
				if now > base+2 {
					t.Errorf("%s left %d goroutine(s) running after it returned:\n%s", row.ID, now-base, ownStacks())
					base = now
				}
				summary = append(summary, row.ID+"="+r.Elapsed.Round(100*time.Millisecond).String())
			}
			t.Logf("%s: %d checks, goroutines %d at the end; times: %s", tc.name, len(summary), runtime.NumGoroutine(), strings.Join(summary, " "))
		})
	}
}

// settle waits up to d for the goroutine count to drop to want, and returns it.
func settle(want int, d time.Duration) int {
	deadline := time.Now().Add(d)
	for {
		runtime.GC()
		n := runtime.NumGoroutine()
		if n <= want+2 || time.Now().After(deadline) {
			return n
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ownStacks is the goroutine dump limited to stacks that run launchcheck code.
func ownStacks() string {
	var b bytes.Buffer
	pprof.Lookup("goroutine").WriteTo(&b, 1)
	var keep []string
	for _, g := range strings.Split(b.String(), "\n\n") {
		if strings.Contains(g, "hustlexp/launchcheck/") && !strings.Contains(g, "TestHardenNoGoroutineLeak") && !strings.Contains(g, "checktest.BlackHole") {
			keep = append(keep, g)
		}
	}
	sort.Strings(keep)
	s := strings.Join(keep, "\n\n")
	if len(s) > 6000 {
		s = s[:6000] + "\n…"
	}
	return s
}
