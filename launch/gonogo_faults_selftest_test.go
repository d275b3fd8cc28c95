//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

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

// unlabelledTraffic is a Prometheus whose request counter has plenty of
// traffic but neither a status label nor a latency histogram.
func unlabelledTraffic(t *testing.T, env *target.Env) *target.Env {
	t.Helper()
	p, bad := gngPrivateProm(t, env, promfake.Options{Routes: []promfake.Route{}})
	start := time.Now().Add(-time.Hour)
	p.AddSeries(map[string]string{"__name__": "http_requests_total", "job": "hustlexp-api", "route": "/trpc/task.list"},
		start, time.Now(), func(t time.Time) float64 { return t.Sub(start).Seconds() * 20 })
	return bad
}

func TestSelfGNGMetricShapes(t *testing.T) {
	_, env := harness.World(t)
	t.Run("fault=GNG-1 request counter without a status label", func(t *testing.T) {
		r := checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.ErrorRateBelowThreshold(ct, unlabelledTraffic(t, env)) }, "cannot find the status label")
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
	t.Run("fault=GNG-2 no latency histogram", func(t *testing.T) {
		p, bad := gngPrivateProm(t, env, promfake.Options{Routes: []promfake.Route{}})
		start := time.Now().Add(-time.Hour)
		// timed requests are counted, but the histogram has no buckets
		p.AddSeries(map[string]string{"__name__": "http_request_duration_seconds_count", "job": "hustlexp-api", "route": "/trpc/task.list"},
			start, time.Now(), func(t time.Time) float64 { return t.Sub(start).Seconds() * 20 })
		r := checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.P99BelowSLA(ct, bad) }, "P99 over", "is undefined")
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
}

// detailedFront edits the JSON of GET /health/detailed on its way back.
func detailedFront(t *testing.T, env *target.Env, edit func(map[string]any)) *target.Env {
	t.Helper()
	return checktest.JSONFront(t, env, config.BaseURL, func(r *http.Request) bool { return r.URL.Path == "/health/detailed" }, edit)
}

func TestSelfGNGDetailedShapes(t *testing.T) {
	_, env := harness.World(t)
	t.Run("fault=GNG-4 no circuitBreakers map", func(t *testing.T) {
		bad := detailedFront(t, env, func(b map[string]any) { delete(b, "circuitBreakers") })
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.BreakersClosedAtDecision(ct, bad) }, "has no circuitBreakers map")
	})
	t.Run("fault=GNG-5 no pool object", func(t *testing.T) {
		bad := detailedFront(t, env, func(b map[string]any) { delete(b, "pool") })
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.PoolBelowHalf(ct, bad) }, "pool.totalConnections is absent")
	})
	t.Run("fault=GNG-4 replicas never reached", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.Replicas: "7"})
		r := checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.BreakersClosedAtDecision(ct, bad) }, "reached 3 of 7 replicas")
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
}
