//go:build !prelaunch && !t0 && !day1 && !week1

package postlaunch_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/standin"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/postlaunch"
)

var stressInstances atomic.Int64

// stressStandin starts a private stand-in (own Redis prefix, high limit, no
// worker) with faults, so stress faults never touch the shared one.
func stressStandin(t *testing.T, faults standin.Faults) *target.Env {
	t.Helper()
	w, env := harness.World(t)
	shared := harness.Standin(w)
	s, err := standin.Start(context.Background(), standin.Options{DSN: w.AdminDSN(), RedisURL: w.RedisURL, Env: shared.Options().Env,
		RedisPrefix: fmt.Sprintf("wk1-selftest-%d-%d:", time.Now().UnixNano(), stressInstances.Add(1)),
		PublicLimit: 100000, DisableWorker: true, Faults: faults})
	if err != nil {
		t.Fatalf("private stand-in: %v", err)
	}
	t.Cleanup(s.Close)
	return env.MustWith(map[string]string{config.BaseURL: s.URL})
}

const stressTimeout = 120 * time.Second

func TestSelfWK1Stress(t *testing.T) {
	_, env := harness.World(t)
	r := checktest.MustPass(t, stressTimeout, func(ct check.T) { postlaunch.StressOffPeak(ct, env) })
	if r.Attrs["series.stress_p95_latency"] == "" || r.Attrs["evidence.requests"] == "" {
		t.Fatalf("evidence: %v", r.Attrs)
	}
	t.Logf("healthy: %s, %s, %s", r.Attrs["evidence.requests"], r.Attrs["evidence.failure_rate"], r.Attrs["evidence.latency"])

	t.Run("fault=10% 5xx under load", func(t *testing.T) {
		bad := stressStandin(t, standin.Faults{ErrorFraction: 0.1})
		checktest.MustFail(t, stressTimeout, func(ct check.T) { postlaunch.StressOffPeak(ct, bad) }, "http_req_failed", "want < 5%", "500 /health")
	})
	t.Run("fault=p95 over 1s", func(t *testing.T) {
		bad := stressStandin(t, standin.Faults{Latency: standin.Constant(1200 * time.Millisecond)})
		checktest.MustFail(t, stressTimeout, func(ct check.T) { postlaunch.StressOffPeak(ct, bad) }, "p95 latency", "want < 1s")
	})
	t.Run("fault=rate limiter throttles the load", func(t *testing.T) {
		bad := stressStandin(t, standin.Faults{RateLimit: 20}).MustWith(map[string]string{config.StressTimeScale: "0.03"})
		checktest.MustFail(t, stressTimeout, func(ct check.T) { postlaunch.StressOffPeak(ct, bad) }, "were 429, want < 100")
	})
	t.Run("refuses production without HUSTLEXP_ALLOW_STRESS", func(t *testing.T) {
		prod := env.MustWith(map[string]string{config.HustlexpTarget: "production"})
		r := checktest.MustFail(t, stressTimeout, func(ct check.T) { postlaunch.StressOffPeak(ct, prod) }, "refusing", "HUSTLEXP_ALLOW_STRESS")
		if r.Status() != "unverified" {
			t.Fatalf("status %s", r.Status())
		}
	})
	t.Run("refuses production outside the off-peak window", func(t *testing.T) {
		now := time.Now().UTC()
		win := fmt.Sprintf("%s-%s", now.Add(2*time.Hour).Format("15:04"), now.Add(3*time.Hour).Format("15:04"))
		prod := env.MustWith(map[string]string{config.HustlexpTarget: "production", config.AllowStress: "1", config.StressWindow: win})
		checktest.MustFail(t, stressTimeout, func(ct check.T) { postlaunch.StressOffPeak(ct, prod) }, "outside the off-peak window", win)
	})
}
