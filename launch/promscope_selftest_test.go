//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

// The Go/No-Go metric rows judge the deployment under test only: one
// Prometheus often scrapes staging too, with the same metric names and
// labels (method, route, status_code), and summing both hides production's
// errors behind staging's clean soak traffic.

import (
	"net/http"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/promfake"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/launch"
)

// stagingBeside is a Prometheus scraping production (4 % 5xx for the last
// 30 minutes) and a staging soak (40 req/s, all 200: 36,000 clean requests
// in 15 minutes, six times production's traffic) under job
// "hustlexp-staging".
func stagingBeside(t *testing.T, env *target.Env) *target.Env {
	t.Helper()
	p, both := gngPrivateProm(t, env, promfake.Options{Job: "hustlexp-production", Instance: "hustlexp-production:3000"})
	now := time.Now()
	if err := p.ErrorBurst(0.04, now.Add(-30*time.Minute), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := p.AddStream(promfake.Stream{Job: "hustlexp-staging", Instance: "hustlexp-staging:3000", Method: "GET", Route: "/trpc/task.list", Status: "200",
		Start: now.Add(-time.Hour), RPS: func(time.Time) float64 { return 40 }}); err != nil {
		t.Fatal(err)
	}
	p.AddSeries(map[string]string{"__name__": "up", "job": "hustlexp-staging", "instance": "hustlexp-staging:3000"}, now.Add(-time.Hour), now,
		func(time.Time) float64 { return 1 })
	return both
}

func TestSelfGNGPromScope(t *testing.T) {
	_, env := harness.World(t)
	r := checktest.MustPass(t, gngTimeout, func(ct check.T) { launch.ErrorRateBelowThreshold(ct, env) })
	if got, want := r.Attrs["evidence.prometheus_scope"], `{job="hustlexp-api"} (the only job exporting http_requests_total, HUSTLEXP_PROM_SELECTOR=auto)`; got != want {
		t.Fatalf("scope evidence %q, want %q", got, want)
	}
	both := stagingBeside(t, env)
	// What the rows judged before: both jobs summed, 4 % becomes ≈ 0.7 %.
	t.Run("staging and production summed pass", func(t *testing.T) {
		mixed := both.MustWith(map[string]string{config.PromSelector: `job=~"hustlexp-production|hustlexp-staging"`})
		checktest.MustPass(t, gngTimeout, func(ct check.T) { launch.ErrorRateBelowThreshold(ct, mixed) })
	})
	t.Run("fault=GNG-1 production 4% 5xx beside a clean staging soak, selector set", func(t *testing.T) {
		prod := both.MustWith(map[string]string{config.PromSelector: `job="hustlexp-production"`})
		r := checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.ErrorRateBelowThreshold(ct, prod) }, "5xx error rate = 4.", "over the last 15m0s, want < 1.00%")
		if got := r.Attrs["evidence.prometheus_scope"]; got != `{job="hustlexp-production"} (HUSTLEXP_PROM_SELECTOR)` {
			t.Fatalf("scope evidence %q", got)
		}
	})
	t.Run("fault=GNG-1 two jobs export the backend's metrics, no selector", func(t *testing.T) {
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.ErrorRateBelowThreshold(ct, both) },
			"Prometheus scope:", "from 2 jobs (hustlexp-production, hustlexp-staging)", "set HUSTLEXP_PROM_SELECTOR")
	})
	t.Run("fault=GNG-2 two jobs export the backend's metrics, no selector", func(t *testing.T) {
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.P99BelowSLA(ct, both) },
			"Prometheus scope:", "from 2 jobs (hustlexp-production, hustlexp-staging)", "set HUSTLEXP_PROM_SELECTOR")
	})
	t.Run("fault=GNG-1 selector that is not label matchers", func(t *testing.T) {
		bad := both.MustWith(map[string]string{config.PromSelector: `http_requests_total{job="hustlexp-production"}`})
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.ErrorRateBelowThreshold(ct, bad) }, "Prometheus scope:", "HUSTLEXP_PROM_SELECTOR=", "label matchers only")
	})
	// Past the scope, the rows' own first Prometheus calls can fail too.
	t.Run("fault=GNG-1 label names API unavailable", func(t *testing.T) {
		bad := promFails(t, env, "/api/v1/labels", "", http.StatusServiceUnavailable, "unavailable", "TSDB not ready")
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.ErrorRateBelowThreshold(ct, bad) }, "label names of http_requests_total", "server error: 503")
	})
	t.Run("fault=GNG-2 timed request count query times out", func(t *testing.T) {
		bad := promFails(t, env, "/api/v1/query", "sum(increase(http_request_duration_seconds_count{", http.StatusServiceUnavailable, "timeout", promTimeout)
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.P99BelowSLA(ct, bad) }, "sum(increase(http_request_duration_seconds_count{job=", "server error: 503")
	})
}
