//go:build !prelaunch && !t0 && !day1 && !week1

package hardening

import (
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/internal/checklist"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/report"
)

const (
	bhCheckTimeout = 10 * time.Second
	bhSetup        = 10 * time.Second // process start-up of the pre-compiled test binaries
	bhGrace        = 5 * time.Second  // per row, beyond its deadline
	stressProfile  = 15 * time.Second // WK-1's k6-stress profile at HUSTLEXP_STRESS_TIME_SCALE=0.02 (about 8 minutes unscaled)
)

func deadEnv(addr string) map[string]string { return DeadEnv(addr, bhCheckTimeout) }

// TestHardenBlackHole: every phase pointed at a target that accepts
// connections and never answers, then at a closed port. Every row must fail
// (a row that passes against nothing cannot fail), each within its deadline;
// the -tags t0 run must end within 2× the per-check timeout plus setup.
func TestHardenBlackHole(t *testing.T) {
	if !hardenEnabled(t) {
		t.Skip("slow end-to-end hardening: set HUSTLEXP_HARDEN=1 (make harden)")
	}
	bin := buildCLI(t)
	for _, target := range []struct{ name, addr string }{{"black hole", checktest.BlackHole(t)}, {"closed port", checktest.ClosedPort(t)}} {
		env := withVars(cleanEnv(), deadEnv(target.addr))
		t.Run(target.name+"/t0", func(t *testing.T) {
			run := runCompiled(t, env, "t0", 10*time.Minute, "./launch/", "./smoke/", "./functional/")
			limit := 2*bhCheckTimeout + bhSetup
			t.Logf("%s: the -tags t0 run took %s (limit 2×%s + %s setup = %s)", target.name, run.Elapsed.Round(100*time.Millisecond), bhCheckTimeout, bhSetup, limit)
			if run.Elapsed > limit {
				t.Errorf("%s: the t0 run took %s, more than %s", target.name, run.Elapsed.Round(time.Second), limit)
			}
			checkAllFailedInTime(t, bin, env, run.JSON, "t0")
		})
		t.Run(target.name+"/other phases", func(t *testing.T) {
			run := runCompiled(t, env, "prelaunch day1 week1", 20*time.Minute, allPkgs...)
			t.Logf("%s: the -tags 'prelaunch day1 week1' run took %s", target.name, run.Elapsed.Round(100*time.Millisecond))
			checkAllFailedInTime(t, bin, env, run.JSON, "prelaunch,day1,week1")
		})
	}
}

func checkAllFailedInTime(t *testing.T, bin string, env []string, stream []byte, phase string) {
	t.Helper()
	rows := reportRows(t, renderReport(t, bin, env, stream, phase)["report json"])
	ps, _ := report.ParsePhases(phase)
	var slow []string
	ran := 0
	for _, p := range ps {
		for _, cr := range checklist.InPhase(p) {
			r := rows[cr.ID]
			if r.Status == report.NotImplemented {
				continue
			}
			if !r.Ran {
				t.Errorf("%s did not run: %s", cr.ID, r.Message)
				continue
			}
			ran++
			if r.Status == report.Pass || r.Status == report.Waived {
				t.Errorf("%s is %s against a dead target: a check that cannot fail", cr.ID, r.Status)
			}
			if strings.Contains(r.Message, "did not finish") {
				t.Errorf("%s hung: %s", cr.ID, r.Message)
			}
			deadline := bhCheckTimeout
			if cr.ID == "WK-1" {
				deadline += stressProfile // its own deadline: the (scaled) stress profile + the check timeout
			}
			if d := time.Duration(r.Duration * float64(time.Second)); d > deadline+bhGrace {
				t.Errorf("%s took %s, more than its %s deadline + %s", cr.ID, d.Round(100*time.Millisecond), deadline, bhGrace)
			}
			slow = append(slow, cr.ID+"="+time.Duration(r.Duration*float64(time.Second)).Round(100*time.Millisecond).String())
		}
	}
	if ran == 0 {
		t.Fatalf("no row of %s ran", phase)
	}
	t.Logf("%d rows of %s failed as they should; per-row time: %s", ran, phase, strings.Join(slow, " "))
}
