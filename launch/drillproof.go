package launch

import (
	"fmt"
	"strings"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/drill"
	"github.com/hustlexp/launchcheck/internal/target"
)

// drillPassed records a drill that passed in this run (dated proof later
// runs may carry forward) and shows it as the row's proof.
func drillPassed(t check.T, env *target.Env, row, result string) {
	t.Helper()
	r := drill.Result{Row: row, At: time.Now(), Target: string(env.Cfg.Target), Run: env.Tag(), Result: result}
	note, err := drill.Record(env.Cfg, r)
	if err != nil {
		t.Errorf("%s drill passed but could not be recorded: %v", row, err)
		return
	}
	check.Evidence(t, "drill_proof", fmt.Sprintf("%s — this run, %s", r, note))
}

// drillCarriedForward is the row's proof when no drill ran in this run: a
// recorded drill no older than HUSTLEXP_DRILL_MAX_AGE, shown with its date;
// otherwise the row is unverified (readiness alone is not proof). A live run
// refuses drills recorded against anything but staging or production (and
// RB-2 a restore of another Neon project): they are shown with the reason.
func drillCarriedForward(t check.T, env *target.Env, row, what, how string) {
	t.Helper()
	f, err := drill.Find(env.Cfg, row, time.Now())
	if err != nil {
		t.Fatalf("%s: %v", row, err)
	}
	if len(f.Rejected) > 0 {
		check.Evidence(t, "drill_rejected", strings.Join(monFirst(f.Rejected, 3), "; "))
	}
	if !f.OK {
		check.Unverified(t, "%s not proven: %s; run the drill (%s) at least every 7 days", what, f.Why, how)
	}
	check.Evidence(t, "drill_proof", f.Result.String()+" (carried forward)")
}
