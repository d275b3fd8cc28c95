//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/alertmanagerfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/promfake"
	"github.com/hustlexp/launchcheck/fixtures/standin"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/launch"
)

const gngTimeout = 60 * time.Second

// gngPrivateProm starts a Prometheus fake of its own (faults stay private) and
// returns env aimed at it.
func gngPrivateProm(t *testing.T, env *target.Env, o promfake.Options) (*promfake.Fake, *target.Env) {
	t.Helper()
	if o.History == 0 {
		o.History = time.Hour
	}
	p := promfake.Run(t, promfake.With(o))
	return p, env.MustWith(map[string]string{config.PrometheusURL: p.URL})
}

func TestSelfGNG1ErrorRate(t *testing.T) {
	_, env := harness.World(t)
	r := checktest.MustPass(t, gngTimeout, func(ct check.T) { launch.ErrorRateBelowThreshold(ct, env) })
	if r.Attrs["evidence.status_label"] != "status_code" || r.Attrs["series.error_rate_15m"] == "" {
		t.Fatalf("evidence: %v", r.Attrs)
	}
	t.Run("fault=2% 5xx for 3 minutes", func(t *testing.T) {
		p, bad := gngPrivateProm(t, env, promfake.Options{})
		now := time.Now()
		if err := p.ErrorBurst(0.02, now.Add(-7*time.Minute), now.Add(-4*time.Minute)); err != nil {
			t.Fatal(err)
		}
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.ErrorRateBelowThreshold(ct, bad) }, "5xx error rate above 1.00%", "steps")
	})
	t.Run("fault=sustained 2% 5xx", func(t *testing.T) {
		p, bad := gngPrivateProm(t, env, promfake.Options{})
		if err := p.ErrorBurst(0.02, time.Now().Add(-30*time.Minute), time.Time{}); err != nil {
			t.Fatal(err)
		}
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.ErrorRateBelowThreshold(ct, bad) }, "over the last 15m0s, want < 1.00%")
	})
	t.Run("fault=too little traffic", func(t *testing.T) {
		_, quiet := gngPrivateProm(t, env, promfake.Options{Routes: []promfake.Route{{Method: "GET", Route: "/trpc/health.ping", RPS: 0.05, Statuses: map[string]float64{"200": 1}}}})
		r := checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.ErrorRateBelowThreshold(ct, quiet) }, "too little traffic")
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
	t.Run("label status instead of status_code", func(t *testing.T) {
		p, other := gngPrivateProm(t, env, promfake.Options{Routes: []promfake.Route{}})
		start := time.Now().Add(-time.Hour)
		for code, rps := range map[string]float64{"200": 5, "500": 0.5} {
			rps := rps
			p.AddSeries(map[string]string{"__name__": "http_requests_total", "job": "api", "route": "/trpc/task.list", "status": code},
				start, time.Now(), func(t time.Time) float64 { return t.Sub(start).Seconds() * rps })
		}
		r := checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.ErrorRateBelowThreshold(ct, other) }, "9.09%")
		if r.Attrs["evidence.status_label"] != "status" {
			t.Fatalf("label discovery: %v", r.Attrs)
		}
	})
	t.Run("fault=Prometheus down", func(t *testing.T) {
		p, bad := gngPrivateProm(t, env, promfake.Options{})
		p.SetDown(true)
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.ErrorRateBelowThreshold(ct, bad) }, "503")
	})
}

func TestSelfGNG2P99(t *testing.T) {
	_, env := harness.World(t)
	checktest.MustPass(t, gngTimeout, func(ct check.T) { launch.P99BelowSLA(ct, env) })
	t.Run("fault=p99 700ms", func(t *testing.T) {
		p, bad := gngPrivateProm(t, env, promfake.Options{})
		if err := p.SlowTraffic(700*time.Millisecond, 0.05, time.Now().Add(-30*time.Minute), time.Time{}); err != nil {
			t.Fatal(err)
		}
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.P99BelowSLA(ct, bad) }, "P99 latency =", "want < 500ms")
	})
	t.Run("fault=too little traffic", func(t *testing.T) {
		_, quiet := gngPrivateProm(t, env, promfake.Options{Routes: []promfake.Route{{Method: "GET", Route: "/trpc/health.ping", RPS: 0.05, Statuses: map[string]float64{"200": 1}}}})
		r := checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.P99BelowSLA(ct, quiet) }, "too little traffic")
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
}

const deadRule = `groups:
  - name: hustlexp.extra
    rules:
      - alert: HustleXPPoolExhausted
        expr: max(db_connections_active) > 18
        for: 5m
        labels:
          severity: critical
`

const firingRule = `groups:
  - name: hustlexp.firing
    rules:
      - alert: HustleXPAlwaysFiring
        expr: vector(1)
        labels:
          severity: critical
`

func TestSelfGNG3NoP0Alerts(t *testing.T) {
	w, env := harness.World(t)
	checktest.MustPass(t, gngTimeout, func(ct check.T) { launch.NoP0AlertsFiring(ct, env) })
	am := w.Alertmanager
	t.Run("fault=critical alert firing", func(t *testing.T) {
		fp := am.SetAlert(alertmanagerfake.Alert{Labels: map[string]string{"alertname": "HustleXPHighErrorRate", "severity": "critical"},
			Annotations: map[string]string{"summary": "5xx above 1 %"}})
		t.Cleanup(func() { am.RemoveAlert(fp) })
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.NoP0AlertsFiring(ct, env) }, "P0 alert(s) firing", "HustleXPHighErrorRate")
	})
	t.Run("silenced critical alert is not firing", func(t *testing.T) {
		fp := am.SetAlert(alertmanagerfake.Alert{Labels: map[string]string{"alertname": "HustleXPApiDown", "severity": "critical"}, Silenced: true})
		t.Cleanup(func() { am.RemoveAlert(fp) })
		r := checktest.MustPass(t, gngTimeout, func(ct check.T) { launch.NoP0AlertsFiring(ct, env) })
		if r.Attrs["evidence.p0_silenced"] == "" {
			t.Fatalf("silenced alert not reported: %v", r.Attrs)
		}
	})
	t.Run("fault=a P0 rule that can never fire", func(t *testing.T) {
		p, bad := gngPrivateProm(t, env, promfake.Options{})
		if err := p.LoadRules("extra.yml", []byte(deadRule)); err != nil {
			t.Fatal(err)
		}
		r := checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.NoP0AlertsFiring(ct, bad) }, "can never fire", "HustleXPPoolExhausted", "db_connections_active")
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
	t.Run("fault=MON-2 named never-firing rules", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.NeverFiringRules: "HustleXPDBPoolSaturated"})
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.NoP0AlertsFiring(ct, bad) }, "can never fire", "HustleXPDBPoolSaturated")
	})
	t.Run("fault=P0 firing in Prometheus but not in Alertmanager", func(t *testing.T) {
		p, bad := gngPrivateProm(t, env, promfake.Options{RuleInterval: 200 * time.Millisecond})
		if err := p.LoadRules("firing.yml", []byte(firingRule)); err != nil {
			t.Fatal(err)
		}
		// Wait until the rule evaluated and fires.
		deadline := time.Now().Add(20 * time.Second)
		for {
			r := checktest.Run(t, gngTimeout, func(ct check.T) { launch.NoP0AlertsFiring(ct, bad) })
			if strings.Contains(r.Text(), "firing in Prometheus") {
				if !strings.Contains(r.Text(), "HustleXPAlwaysFiring") {
					t.Fatalf("message does not name the alert: %s", r.Text())
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("alert never reported as firing in Prometheus: %s (%s)", r.Status(), r.Text())
			}
			time.Sleep(300 * time.Millisecond)
		}
	})
	t.Run("fault=no P0 rules loaded", func(t *testing.T) {
		_, bad := gngPrivateProm(t, env, promfake.Options{})
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.NoP0AlertsFiring(ct, bad) }, "no alerting rule with severity")
	})
}

func TestSelfGNG4BreakersClosed(t *testing.T) {
	w, env := harness.World(t)
	r := checktest.MustPass(t, gngTimeout, func(ct check.T) { launch.BreakersClosedAtDecision(ct, env) })
	if r.Attrs["evidence.samples"] == "" {
		t.Fatalf("evidence: %v", r.Attrs)
	}
	t.Run("fault=one breaker OPEN on one replica", func(t *testing.T) {
		t.Cleanup(w.Standin.SetBreaker(1, "stripe", "OPEN"))
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.BreakersClosedAtDecision(ct, env) }, "not CLOSED", "stripe=OPEN")
	})
	t.Run("fault=circuitBreakers.openai is a number", func(t *testing.T) {
		t.Cleanup(w.Standin.SetFaults(func(f *standin.Faults) { f.DetailedShape = "breaker-number" }))
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.BreakersClosedAtDecision(ct, env) }, "circuitBreakers.openai is a number 1")
	})
	t.Run("fault=breaker HALF_OPEN", func(t *testing.T) {
		t.Cleanup(w.Standin.SetBreaker(2, "openai", "HALF_OPEN"))
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.BreakersClosedAtDecision(ct, env) }, "openai=HALF_OPEN")
	})
}

func TestSelfGNG5Pool(t *testing.T) {
	w, env := harness.World(t)
	r := checktest.MustPass(t, gngTimeout, func(ct check.T) { launch.PoolBelowHalf(ct, env) })
	if r.Attrs["series.pool_use"] == "" {
		t.Fatalf("no pool series: %v", r.Attrs)
	}
	t.Run("fault=pool metric at 60%", func(t *testing.T) {
		p, bad := gngPrivateProm(t, env, promfake.Options{})
		p.AddSeries(map[string]string{"__name__": "db_pool_utilisation_ratio", "instance": "api-2"}, time.Now().Add(-10*time.Minute), time.Now(),
			func(time.Time) float64 { return 0.6 })
		withMetric := bad.MustWith(map[string]string{config.PoolMetricQuery: "max by (instance) (db_pool_utilisation_ratio)"})
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.PoolBelowHalf(ct, withMetric) }, "pool metric", "api-2", "60%")
	})
	t.Run("fault=pool is a string", func(t *testing.T) {
		t.Cleanup(w.Standin.SetFaults(func(f *standin.Faults) { f.DetailedShape = "pool-string" }))
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.PoolBelowHalf(ct, env) }, `pool is a string "n/a"`)
	})
	t.Run("fault=pool at 60%", func(t *testing.T) {
		t.Cleanup(w.Standin.SetFaults(func(f *standin.Faults) { f.PoolTotal = map[int]int{0: 12} }))
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.PoolBelowHalf(ct, env) }, "12/20 = 60%", "at or above 50%")
	})
}
