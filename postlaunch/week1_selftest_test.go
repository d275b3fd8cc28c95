//go:build !prelaunch && !t0 && !day1 && !week1

package postlaunch_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hustlexp/launchcheck/fixtures/fakes/neonfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/promfake"
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
	}{{"at85", th * 85 / 100}, {"at95", th * 95 / 100}, {"at50", th / 2}} {
		if _, err := datagen.Earner(ctx, l.conn, e.label, e.cents, year); err != nil {
			t.Fatal(err)
		}
	}
	r := checktest.MustPass(t, week1Timeout, func(ct check.T) { postlaunch.TaxThresholdMonitoring(ct, env) })
	if r.Attrs["evidence.workers_ge_80pct"] != "2" || r.Attrs["evidence.workers_ge_90pct"] != "1" || r.Attrs["evidence.workers_ge_100pct"] != "0" {
		t.Fatalf("counts: %v", r.Attrs)
	}
	for k, v := range r.Attrs {
		if strings.Contains(v, "@") || strings.Contains(v, "Earner") {
			t.Fatalf("report leaks personal data in %s: %s", k, v)
		}
	}

	// The real schema records no tax form (no users.w9_on_file, no
	// tax_forms: captures 44/45): a worker over the threshold makes the W-9
	// part unverifiable, never a pass.
	t.Run("fault=worker over threshold, no tax form recorded", func(t *testing.T) {
		if _, err := datagen.Earner(ctx, l.conn, "over", th*2, year); err != nil {
			t.Fatal(err)
		}
		checktest.MustFail(t, week1Timeout, func(ct check.T) { postlaunch.TaxThresholdMonitoring(ct, env) }, "UNVERIFIED", "at or over the", "no tax form", "W-9 presence not checkable")
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

// taxRedisDB returns the rehearsal Redis URL on logical database n (an empty
// keyspace the test owns).
func taxRedisDB(t *testing.T, w *harness.Rehearsal, n int, seedJob bool) string {
	t.Helper()
	u, err := url.Parse(w.RedisURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + strconv.Itoa(n)
	opt, _ := redis.ParseURL(u.String())
	rc := redis.NewClient(opt)
	defer rc.Close()
	rc.FlushDB(t.Context())
	if seedJob {
		if err := harness.SeedTaxJob(t.Context(), u.String()); err != nil {
			t.Fatal(err)
		}
	}
	return u.String()
}

// TestSelfWK3Monitoring: the verdict rests on what the deployment runs. The
// real backend (captures 45: no tax_filings, no tax_forms; no 1099 rule in
// ops/alerts/critical.yml; no 1099 metric in /metrics) monitors nothing, and
// its code tracks 1099-NEC at $600; the old check passed such a deployment.
func TestSelfWK3Monitoring(t *testing.T) {
	w, env := harness.World(t)
	r := checktest.MustPass(t, week1Timeout, func(ct check.T) { postlaunch.TaxThresholdMonitoring(ct, env) })
	if ev := r.Attrs[check.AttrEvidence+"monitoring"]; !strings.Contains(ev, harness.RehearsalTaxJob) {
		t.Errorf("monitoring evidence %q does not name the scheduled job", ev)
	}
	repo := t.TempDir()
	os.MkdirAll(filepath.Join(repo, "backend", "src", "services"), 0o755)
	os.WriteFile(filepath.Join(repo, "backend", "src", "services", "TaxReportingService.ts"), []byte(
		"// Contractors paid $600 or more in a year get a 1099-NEC.\nexport const NEC_THRESHOLD_CENTS = 60000;\nexport function needs1099NEC(totalCents: number) { return totalCents >= NEC_THRESHOLD_CENTS; }\n"), 0o644)
	t.Run("fault=nothing monitors (the real backend's shape)", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.RedisURL: taxRedisDB(t, w, 7, false), config.RepoDir: repo})
		checktest.MustFail(t, week1Timeout, func(ct check.T) { postlaunch.TaxThresholdMonitoring(ct, bad) },
			"no 1099-K threshold monitoring is active", "tax_filings, tax_forms absent", "tracks 1099-NEC at $600", "not 1099-K")
	})
	t.Run("fault=scheduler not visible", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.RedisURL: ""})
		r := checktest.MustFail(t, week1Timeout, func(ct check.T) { postlaunch.TaxThresholdMonitoring(ct, bad) },
			"could not look at", config.RedisURL+" not set")
		if r.Status() != "unverified" {
			t.Errorf("status %s, want unverified", r.Status())
		}
	})
	// The alert ops/compliance/1099-threshold-tracking.md proposes, loaded in
	// Prometheus, over a metric the backend never emits (captures 08b): dead.
	t.Run("fault=alert rule over a metric the backend never emits", func(t *testing.T) {
		p := promfake.Run(t, promfake.With(promfake.Options{History: time.Hour}))
		rule := "groups:\n- name: compliance\n  rules:\n  - alert: Worker1099ThresholdApproaching\n    expr: worker_annual_earnings_usd{app=\"hustlexp\"} > 4000\n    labels:\n      severity: info\n"
		if err := p.LoadRules("compliance.yml", []byte(rule)); err != nil {
			t.Fatal(err)
		}
		bad := env.MustWith(map[string]string{config.PrometheusURL: p.URL, config.RedisURL: taxRedisDB(t, w, 9, false)})
		checktest.MustFail(t, week1Timeout, func(ct check.T) { postlaunch.TaxThresholdMonitoring(ct, bad) },
			"alert rule Worker1099ThresholdApproaching", "worker_annual_earnings_usd", "never emits")
	})
	t.Run("a tax table the deployment writes is a monitor", func(t *testing.T) {
		l := newLedger(t, 1)
		l.fault(t, "CREATE TABLE tax_threshold_alerts (id serial PRIMARY KEY, user_id uuid, tax_year int); INSERT INTO tax_threshold_alerts(user_id, tax_year) VALUES (gen_random_uuid(), 2026); GRANT SELECT ON tax_threshold_alerts TO launchcheck_ro")
		good := l.env.MustWith(map[string]string{config.RedisURL: taxRedisDB(t, w, 8, false)})
		r := checktest.MustPass(t, week1Timeout, func(ct check.T) { postlaunch.TaxThresholdMonitoring(ct, good) })
		if !strings.Contains(r.Attrs[check.AttrEvidence+"monitoring"], "table tax_threshold_alerts (written)") {
			t.Errorf("evidence: %v", r.Attrs)
		}
		l.fault(t, "TRUNCATE tax_threshold_alerts")
		checktest.MustFail(t, week1Timeout, func(ct check.T) { postlaunch.TaxThresholdMonitoring(ct, good) }, "no 1099-K threshold monitoring is active")
	})
}

func restoreEnv(t *testing.T, l *ledger, o pgrestore.Options) (*target.Env, *neonfake.Fake, *harness.NeonRestorer) {
	t.Helper()
	w, _ := harness.World(t)
	f := neonfake.Run(t, "selftest-neon-key", "selftest-project", "127.0.0.1")
	r := harness.NewNeonRestorer(w.World, f, pgrestore.DBName(l.dsn), o)
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
