//go:build !prelaunch && !t0 && !day1 && !week1

package prom_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/promfake"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/prom"
)

// Every selector of a backend series gets the deployment's matchers, in
// every shape the suite queries; other metrics are left alone.
func TestScopeQuery(t *testing.T) {
	prod, err := prom.ParseSelector(`job="hustlexp-production"`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, in, want string }{
		{"rate over a matrix", `sum(rate(http_requests_total[5m]))`,
			`sum(rate(http_requests_total{job="hustlexp-production"}[5m]))`},
		{"error rate with or vector(0)", prom.ErrorRateQuery("status_code", 15*time.Minute),
			`(sum(rate(http_requests_total{job="hustlexp-production",status_code=~"5..|5xx"}[15m])) or vector(0)) / sum(rate(http_requests_total{job="hustlexp-production"}[15m]))`},
		{"histogram_quantile", prom.P99Query(15 * time.Minute),
			`histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="hustlexp-production"}[15m])))`},
		{"timed requests", prom.TimedRequestsQuery(time.Hour),
			`sum(increase(http_request_duration_seconds_count{job="hustlexp-production"}[1h]))`},
		{"up of several jobs", `max(max_over_time(up{job=~"hustlexp-production|hustlexp-staging"}[5m]))`,
			`max(max_over_time(up{job="hustlexp-production",job=~"hustlexp-production|hustlexp-staging"}[5m]))`},
		{"429s by route with offset", `sum by (route) (increase(http_requests_total{status_code="429"}[1h] offset 1d)) > 0`,
			`sum by (route) (increase(http_requests_total{job="hustlexp-production",status_code="429"}[1h] offset 1d)) > 0`},
		{"by __name__", `count({__name__="http_requests_total"})`,
			`count({__name__="http_requests_total",job="hustlexp-production"})`},
		{"series selector", prom.RequestsMetric, `http_requests_total{job="hustlexp-production"}`},
		{"already scoped", `sum(rate(http_requests_total{job="hustlexp-production"}[5m]))`,
			`sum(rate(http_requests_total{job="hustlexp-production"}[5m]))`},
		{"no backend metric", `sum(hustlexp_ai_cost_usd_today)`, `sum(hustlexp_ai_cost_usd_today)`},
		{"mixed", `sum(db_connections_active) / sum(up)`, `sum(db_connections_active) / sum(up{job="hustlexp-production"})`},
	} {
		got, err := prom.ScopeQuery(tc.in, prod)
		if err != nil || got != tc.want {
			t.Errorf("%s:\n got %s (%v)\nwant %s", tc.name, got, err, tc.want)
		}
	}
	if _, err := prom.ScopeQuery("rate(a[5m]) | sum(b)", prod); err == nil {
		t.Error("a query that does not parse was rewritten")
	}
	for _, sel := range []string{`{job="a",env="prod"}`, ` job="a" `} {
		if _, err := prom.ParseSelector(sel); err != nil {
			t.Errorf("%s: %v", sel, err)
		}
	}
	for _, sel := range []string{`up{job="a"}`, `job=a`, `job="a"}`} {
		if _, err := prom.ParseSelector(sel); err == nil {
			t.Errorf("%s: accepted", sel)
		}
	}
}

// twoJobs is a Prometheus scraping production (4 % 5xx over the last 20
// minutes) and a staging soak (25 req/s, all 200) with the same metrics.
func twoJobs(t *testing.T) *promfake.Fake {
	t.Helper()
	f := promfake.Run(t, func(o *promfake.Options) { o.History = time.Hour; o.Job = "hustlexp-production" })
	now := time.Now()
	if err := f.ErrorBurst(0.04, now.Add(-20*time.Minute), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := f.AddStream(promfake.Stream{Job: "hustlexp-staging", Instance: "staging:3000", Method: "GET", Route: "/trpc/task.list", Status: "200",
		Start: now.Add(-time.Hour), RPS: func(time.Time) float64 { return 25 }}); err != nil {
		t.Fatal(err)
	}
	return f
}

func scopedClient(t *testing.T, url, selector string) *prom.Client {
	t.Helper()
	cfg, err := config.Load(func(n string) string {
		return map[string]string{config.PrometheusURL: url, config.PromSelector: selector}[n]
	})
	if err != nil {
		t.Fatal(err)
	}
	return prom.FromConfig(cfg)
}

func TestScopedClient(t *testing.T) {
	f := twoJobs(t)
	ctx, now := context.Background(), time.Now()
	q := prom.ErrorRateQuery("status_code", 15*time.Minute)

	c := scopedClient(t, f.URL, `job="hustlexp-production"`)
	rate, ok, err := c.Scalar(ctx, q, now)
	if err != nil || !ok || math.Abs(rate-0.04) > 0.005 {
		t.Fatalf("production error rate %v (%v, %v), want ≈ 4 %%", rate, ok, err)
	}
	s, err := c.Scope(ctx, now.Add(-time.Hour), now)
	if err != nil || s.String() != `{job="hustlexp-production"} (HUSTLEXP_PROM_SELECTOR)` {
		t.Fatalf("scope %s, %v", s, err)
	}
	if l, err := c.StatusLabel(ctx, prom.RequestsMetric, now.Add(-time.Hour), now); err != nil || l != "status_code" {
		t.Fatalf("status label %q, %v", l, err)
	}
	jobs, err := c.LabelValues(ctx, "job", prom.RequestsMetric, now.Add(-time.Hour), now)
	if err != nil || len(jobs) != 1 || jobs[0] != "hustlexp-production" {
		t.Fatalf("jobs %v, %v, want production only", jobs, err)
	}
	if ss, err := c.Series(ctx, []string{`up`}, now.Add(-time.Hour), now); err != nil || len(ss) != 1 {
		t.Fatalf("up series %v, %v, want production's only", ss, err)
	}

	// unscoped, staging's clean traffic would hide production's errors
	raw, err := prom.New(f.URL, "", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if v, _, err := raw.Scalar(ctx, q, now); err != nil || v > 0.01 {
		t.Fatalf("unscoped error rate %v, %v: the fault does not dilute", v, err)
	}

	auto := scopedClient(t, f.URL, "")
	_, _, err = auto.Scalar(ctx, q, now)
	if !errors.Is(err, prom.ErrAmbiguousScope) || !strings.Contains(err.Error(), "2 jobs (hustlexp-production, hustlexp-staging)") || !strings.Contains(err.Error(), config.PromSelector) {
		t.Fatalf("auto scope with two jobs: %v", err)
	}
	if _, err := auto.StatusLabel(ctx, prom.RequestsMetric, now.Add(-time.Hour), now); !errors.Is(err, prom.ErrAmbiguousScope) {
		t.Fatalf("label discovery with two jobs: %v", err)
	}
	// a query of other metrics needs no scope
	if _, _, err := auto.Scalar(ctx, "sum(nodejs_heap_size_used_bytes)", now); err != nil {
		t.Fatal(err)
	}

	bad := scopedClient(t, f.URL, `up{job="x"}`)
	if _, _, err := bad.Scalar(ctx, q, now); err == nil || !strings.Contains(err.Error(), "HUSTLEXP_PROM_SELECTOR=\"up{job=\\\"x\\\"}\" does not parse") {
		t.Fatalf("selector with a metric name: %v", err)
	}
}

// One job: the client scopes to it by itself and says so.
func TestAutoScopeOneJob(t *testing.T) {
	f := promfake.Run(t, func(o *promfake.Options) { o.History = time.Hour })
	ctx, now := context.Background(), time.Now()
	c := scopedClient(t, f.URL, "auto")
	s, err := c.Scope(ctx, now.Add(-time.Hour), now)
	if err != nil || s.String() != `{job="hustlexp-api"} (the only job exporting http_requests_total, HUSTLEXP_PROM_SELECTOR=auto)` {
		t.Fatalf("scope %s, %v", s, err)
	}
	if n, err := c.Requests(ctx, now, 15*time.Minute); err != nil || n < 1000 {
		t.Fatalf("requests %v, %v", n, err)
	}
	empty := promfake.Run(t, func(o *promfake.Options) { o.History = time.Hour; o.Routes = []promfake.Route{} })
	s, err = scopedClient(t, empty.URL, "auto").Scope(ctx, now.Add(-time.Hour), now)
	if err != nil || len(s.Matchers) != 0 || !strings.HasPrefix(s.String(), "unscoped (no http_requests_total series with a job label") {
		t.Fatalf("no traffic: scope %s, %v", s, err)
	}
}
