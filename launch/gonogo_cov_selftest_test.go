//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

// Failure coverage of the Go/No-Go rows (issue 13): every failure statement
// of launch/gonogo.go has a fault of its own here or in gonogo*_selftest_test.go.

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
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

// promFails answers the Prometheus API calls on path whose PromQL contains
// query ("" = every call on path) with status and Prometheus's own error
// body ({"status":"error","errorType":…,"error":…}; the Go client reports a
// 5xx as "server error: <status>" without it); every other call reaches the
// rehearsal's Prometheus.
func promFails(t *testing.T, env *target.Env, path, query string, status int, errType, msg string) *target.Env {
	t.Helper()
	return checktest.FailFront(t, env, config.PrometheusURL, func(r *http.Request, body []byte) bool {
		if r.URL.Path != path {
			return false
		}
		q := r.URL.Query().Get("query")
		if form, err := url.ParseQuery(string(body)); err == nil && form.Get("query") != "" {
			q = form.Get("query")
		}
		return strings.Contains(q, query)
	}, status, fmt.Sprintf(`{"status":"error","errorType":%q,"error":%q}`, errType, msg))
}

const (
	promTimeout  = "query timed out in expression evaluation"
	promTooLarge = "query processing would load too many samples into memory in query execution"
)

func mustUnverified(t *testing.T, r checktest.Result) {
	t.Helper()
	if r.Status() != "unverified" {
		t.Fatalf("status %s, want unverified", r.Status())
	}
}

func TestSelfGNG1Faults(t *testing.T) {
	_, env := harness.World(t)
	t.Run("fault=error-rate query times out", func(t *testing.T) {
		bad := promFails(t, env, "/api/v1/query", `5..|5xx`, http.StatusServiceUnavailable, "timeout", promTimeout)
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.ErrorRateBelowThreshold(ct, bad) }, "GNG-1 error rate over 15m0s", "server error: 503")
	})
	t.Run("fault=request count query times out", func(t *testing.T) {
		bad := promFails(t, env, "/api/v1/query", "sum(increase(http_requests_total{", http.StatusServiceUnavailable, "timeout", promTimeout)
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.ErrorRateBelowThreshold(ct, bad) }, "GNG-1 request count", "server error: 503")
	})
	t.Run("fault=per-step range query refused as too large", func(t *testing.T) {
		bad := promFails(t, env, "/api/v1/query_range", "", http.StatusUnprocessableEntity, "execution", promTooLarge)
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.ErrorRateBelowThreshold(ct, bad) }, "GNG-1 error rate per 1m0s step", "too many samples")
	})
	// issue 13: too little traffic in the window. Traffic began 4 minutes ago
	// (DNS just switched): plenty of requests in total, but most one-minute
	// steps of the 15-minute window saw none.
	t.Run("fault=traffic only in the last 4 minutes", func(t *testing.T) {
		p, late := gngPrivateProm(t, env, promfake.Options{Routes: []promfake.Route{}})
		start := time.Now().Add(-4 * time.Minute)
		p.AddSeries(map[string]string{"__name__": "http_requests_total", "job": "hustlexp-api", "route": "/trpc/task.list", "method": "GET", "status_code": "200"},
			start, time.Now(), func(t time.Time) float64 { return t.Sub(start).Seconds() * 10 })
		r := checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.ErrorRateBelowThreshold(ct, late) }, "steps have ≥ 20 requests in the last 15m0s")
		mustUnverified(t, r)
	})
}

func TestSelfGNG2Faults(t *testing.T) {
	_, env := harness.World(t)
	t.Run("fault=P99 query times out", func(t *testing.T) {
		bad := promFails(t, env, "/api/v1/query", "histogram_quantile(", http.StatusServiceUnavailable, "timeout", promTimeout)
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.P99BelowSLA(ct, bad) }, "GNG-2 P99 over 15m0s", "server error: 503")
	})
}

func TestSelfGNG3Faults(t *testing.T) {
	_, env := harness.World(t)
	// issue 13: the Prometheus alerts API answers an error. Alertmanager is
	// quiet, so only Prometheus's own view could show a P0 alert.
	t.Run("fault=Prometheus alerts API unavailable", func(t *testing.T) {
		bad := promFails(t, env, "/api/v1/alerts", "", http.StatusServiceUnavailable, "unavailable", "rule manager not ready")
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.NoP0AlertsFiring(ct, bad) }, "GNG-3: Prometheus", "alerts:")
	})
	t.Run("fault=Prometheus rules API unavailable", func(t *testing.T) {
		bad := promFails(t, env, "/api/v1/rules", "", http.StatusServiceUnavailable, "unavailable", "rule manager not ready")
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.NoP0AlertsFiring(ct, bad) }, "GNG-3: Prometheus", "rules:")
	})
}

func TestSelfGNG4Faults(t *testing.T) {
	_, env := harness.World(t)
	// The row's deadline runs out while it waits between samples: the
	// sampling stops and says how far it got.
	t.Run("fault=deadline shorter than the sampling window", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.CheckTimeout: "1s", config.GNGSampleWindow: "6s", config.GNGSamples: "3"})
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.BreakersClosedAtDecision(ct, bad) }, "sampling /health/detailed: context deadline exceeded after 1 samples")
	})
}

func TestSelfGNG5Faults(t *testing.T) {
	w, env := harness.World(t)
	rw := w.Railway
	t.Run("fault=DB_POOL_MAX=0 in Railway", func(t *testing.T) {
		setRailwayVar(t, rw, "DB_POOL_MAX", "0", false)
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.PoolBelowHalf(ct, env) }, "the deployment's DB_POOL_MAX = 0: cannot compute utilisation")
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.PoolSized(ct, env) }, "the deployment's DB_POOL_MAX = 0, want 1..20")
	})
	t.Run("fault=pool metric query does not parse", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.PoolMetricQuery: "max by (instance) (db_pool_utilisation_ratio"})
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.PoolBelowHalf(ct, bad) }, config.PoolMetricQuery+": prometheus", "bad_data")
	})
	// issue 13: pool utilisation with unreachable replicas. Railway runs 5
	// replicas; the samples only ever reach 3 of them.
	t.Run("fault=Railway runs 5 replicas, 3 answer", func(t *testing.T) {
		setRailwayReplicas(t, rw, 5)
		r := checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.PoolBelowHalf(ct, env) }, "reached 3 of 5 replicas (serviceInstance.numReplicas)", "the others' pools were not seen")
		mustUnverified(t, r)
	})
	t.Run("fault=operator expects 7 replicas", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.Replicas: "7"})
		r := checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.PoolBelowHalf(ct, bad) }, "reached 3 of 7 replicas ("+config.Replicas+")")
		mustUnverified(t, r)
	})
}
