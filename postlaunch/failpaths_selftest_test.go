//go:build !prelaunch && !t0 && !day1 && !week1

package postlaunch_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/drill"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/postlaunch"
)

// A dependency a row reads is down or names nothing: every row fails within
// its deadline, naming what it asked.
func TestSelfPostlaunchDependencyDown(t *testing.T) {
	_, env := harness.World(t)
	addr := checktest.ClosedPort(t)
	dead := "http://" + addr
	deadDB := "postgres://launchcheck_ro:x@" + addr + "/hustlexp?sslmode=disable&connect_timeout=2"
	rows := []struct {
		name string
		fn   func(check.T, *target.Env)
		set  map[string]string
		want []string
	}{
		{"DAY-2 database down", postlaunch.NoEscrowDrift, map[string]string{config.DatabaseURL: deadDB}, []string{addr}},
		{"DAY-4 Sentry API down", postlaunch.SentryNewIssuesReviewed, map[string]string{config.SentryAPIURL: dead}, []string{"DAY-4", addr}},
		{"WK-3 database down", postlaunch.TaxThresholdMonitoring, map[string]string{config.DatabaseURL: deadDB}, []string{"WK-3", addr}},
		{"WK-4 Neon API down", postlaunch.RestoreWorks, map[string]string{config.NeonAPIURL: dead}, []string{"WK-4: list Neon branches", addr}},
		{"WK-4 branch unknown", postlaunch.RestoreWorks, map[string]string{config.NeonBranch: "no-such-branch"}, []string{`WK-4: Neon branch "no-such-branch" not found`}},
		{"WK-4 primary down", postlaunch.RestoreWorks, map[string]string{config.DatabaseURL: deadDB}, []string{"WK-4: row counts on the primary", addr}},
		{"WK-4 RB-2 drill record not writable", postlaunch.RestoreWorks, map[string]string{config.DrillRecord: filepath.Join(t.TempDir(), "no-such-dir", "drills.jsonl")},
			[]string{"RB-2 drill result could not be recorded", config.DrillRecord}},
	}
	for _, r := range rows {
		t.Run("fault="+r.name, func(t *testing.T) {
			bad := env.MustWith(r.set)
			checktest.MustFail(t, 60*time.Second, func(ct check.T) { r.fn(ct, bad) }, r.want...)
		})
	}
}

// WK-4's passing restore is RB-2's dated drill: it is recorded.
func TestSelfWK4RecordsTheRB2Drill(t *testing.T) {
	_, env := harness.World(t)
	rec := env.MustWith(map[string]string{config.DrillRecord: filepath.Join(t.TempDir(), "drills.jsonl")})
	r := checktest.MustPass(t, 2*time.Minute, func(ct check.T) { postlaunch.RestoreWorks(ct, rec) })
	if !strings.Contains(r.Attrs["evidence.rb2_drill"], "recorded in "+config.DrillRecord) {
		t.Fatalf("evidence rb2_drill = %q", r.Attrs["evidence.rb2_drill"])
	}
	d, ok, why, err := drill.Latest(rec.Cfg, "RB-2", time.Now())
	if err != nil || !ok || d.Run != env.Tag() || !strings.Contains(d.Result, "branch restored") {
		t.Fatalf("RB-2 record: %+v ok=%v why=%q err=%v", d, ok, why, err)
	}
}
