//go:build !prelaunch && !t0 && !day1 && !week1

package postlaunch_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/neonfake"
	"github.com/hustlexp/launchcheck/fixtures/pgrestore"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/datagen"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/postlaunch"
)

const week1Timeout = 90 * time.Second

func TestSelfWK3TaxThresholds(t *testing.T) {
	_, world := harness.World(t)
	checktest.MustPass(t, week1Timeout, func(ct check.T) { postlaunch.TaxThresholdMonitoring(ct, world) })
	l := newLedger(t, 1)
	ctx := context.Background()
	year := time.Now().UTC().Year()
	env := l.env.MustWith(map[string]string{config.Thresholds1099K: "2024=500000,2025=250000,2026=60000"})
	th := int64(60000)
	if year == 2025 {
		th = 250000
	}
	for _, e := range []struct {
		label string
		cents int64
		w9    bool
	}{{"at85", th * 85 / 100, false}, {"at95", th * 95 / 100, false}, {"at120", th * 120 / 100, true}, {"at50", th / 2, false}} {
		if _, err := datagen.Earner(ctx, l.conn, e.label, e.cents, year, e.w9); err != nil {
			t.Fatal(err)
		}
	}
	r := checktest.MustPass(t, week1Timeout, func(ct check.T) { postlaunch.TaxThresholdMonitoring(ct, env) })
	if r.Attrs["evidence.workers_ge_80pct"] != "3" || r.Attrs["evidence.workers_ge_90pct"] != "2" || r.Attrs["evidence.workers_ge_100pct"] != "1" {
		t.Fatalf("counts: %v", r.Attrs)
	}
	for k, v := range r.Attrs {
		if strings.Contains(v, "@") || strings.Contains(v, "Earner") {
			t.Fatalf("report leaks personal data in %s: %s", k, v)
		}
	}

	t.Run("fault=worker over threshold without a tax form", func(t *testing.T) {
		if _, err := datagen.Earner(ctx, l.conn, "over-no-w9", th*2, year, false); err != nil {
			t.Fatal(err)
		}
		checktest.MustFail(t, week1Timeout, func(ct check.T) { postlaunch.TaxThresholdMonitoring(ct, env) }, "1 of 2 workers", "no tax form", "users.w9_on_file")
	})
	t.Run("fault=query cannot run", func(t *testing.T) {
		l2 := newLedger(t, 1)
		l2.fault(t, "REVOKE SELECT ON escrows FROM launchcheck_ro")
		checktest.MustFail(t, week1Timeout, func(ct check.T) { postlaunch.TaxThresholdMonitoring(ct, l2.env) }, "1099-K threshold query", "permission denied")
	})
	t.Run("fault=no threshold for the tax year", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.Thresholds1099K: "2099=60000"})
		checktest.MustFail(t, week1Timeout, func(ct check.T) { postlaunch.TaxThresholdMonitoring(ct, bad) }, "no 1099-K threshold for tax year")
	})
}

func restoreEnv(t *testing.T, l *ledger, o pgrestore.Options) (*target.Env, *neonfake.Fake, *harness.NeonRestorer) {
	t.Helper()
	w, _ := harness.World(t)
	f := neonfake.New("selftest-neon-key", neonfake.Healthy("selftest-project", "127.0.0.1"))
	t.Cleanup(f.Close)
	r := harness.NewNeonRestorer(w, f, pgrestore.DBName(l.dsn), o)
	r.Install()
	env := l.env.MustWith(map[string]string{
		config.NeonAPIURL: f.URL, config.NeonAPIKey: "selftest-neon-key", config.NeonProjectID: "selftest-project",
		config.RestorePointAgo: "1h",
	})
	return env, f, r
}

func TestSelfWK4RestoreWorks(t *testing.T) {
	_, world := harness.World(t)
	checktest.MustPass(t, week1Timeout, func(ct check.T) { postlaunch.RestoreWorks(ct, world) })
	l := newLedger(t, 2)
	env, f, r := restoreEnv(t, l, pgrestore.Options{})
	res := checktest.MustPass(t, week1Timeout, func(ct check.T) { postlaunch.RestoreWorks(ct, env) })
	if res.Attrs["evidence.time_to_restore"] == "" || !strings.Contains(res.Attrs["evidence.row_counts"], "escrows 9/9") {
		t.Fatalf("evidence: %v", res.Attrs)
	}
	if r.Open() != 0 || len(f.Snapshot().Branches) != 1 {
		t.Fatalf("restore branch not cleaned up: %d restored databases, branches %v", r.Open(), f.Snapshot().Branches)
	}

	t.Run("fault=restore loses rows", func(t *testing.T) {
		env, _, _ := restoreEnv(t, l, pgrestore.Options{LoseRows: map[string]int{"escrows": 3}})
		checktest.MustFail(t, week1Timeout, func(ct check.T) { postlaunch.RestoreWorks(ct, env) }, "lost rows", "escrows: 3 of 9")
	})
	t.Run("fault=branch creation fails", func(t *testing.T) {
		env, f, _ := restoreEnv(t, l, pgrestore.Options{})
		f.Update(func(st *neonfake.State) { st.FailCreate = true })
		checktest.MustFail(t, week1Timeout, func(ct check.T) { postlaunch.RestoreWorks(ct, env) }, "create Neon branch", "500")
	})
	t.Run("fault=restore point outside retention", func(t *testing.T) {
		env, _, _ := restoreEnv(t, l, pgrestore.Options{})
		bad := env.MustWith(map[string]string{config.RestorePointAgo: "720h"})
		checktest.MustFail(t, week1Timeout, func(ct check.T) { postlaunch.RestoreWorks(ct, bad) }, "retention")
	})
}
