//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

// GNG-4 and GNG-5 must reach every replica the deployment runs
// (Railway's serviceInstance.numReplicas), not the operator's
// HUSTLEXP_REPLICAS alone; GNG-5's explicit pool metric needs Prometheus
// and a series to judge.

import (
	"testing"

	"github.com/hustlexp/launchcheck/fixtures/fakes/promfake"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/launch"
)

func TestSelfGNG4RailwayReplicas(t *testing.T) {
	w, env := harness.World(t)
	// HUSTLEXP_REPLICAS at its default (1, as when unset) and one sample: before, GNG-4
	// took one answer and passed on whichever replica gave it.
	unset := env.MustWith(map[string]string{config.Replicas: "1", config.GNGSamples: "1", config.GNGSampleWindow: "100ms"})
	r := checktest.MustPass(t, gngTimeout, func(ct check.T) { launch.BreakersClosedAtDecision(ct, unset) })
	if ev := r.Attrs[check.AttrEvidence+"samples"]; ev == "" || r.Attrs[check.AttrEvidence+"replicas_expected"] != "3 (serviceInstance.numReplicas of Railway production/hustlexp-engine)" {
		t.Errorf("evidence %v, want 3 replicas from serviceInstance.numReplicas", r.Attrs)
	}
	t.Run("fault=Railway runs 3 replicas, HUSTLEXP_REPLICAS unset, replica 3 has stripe OPEN", func(t *testing.T) {
		t.Cleanup(w.Standin.SetBreaker(2, "stripe", "OPEN"))
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.BreakersClosedAtDecision(ct, unset) }, "circuit breakers not CLOSED at decision time", "stripe=OPEN")
	})
	t.Run("fault=Railway runs 4 replicas, 3 answer", func(t *testing.T) {
		setRailwayReplicas(t, w.Railway, 4)
		r := checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.BreakersClosedAtDecision(ct, unset) }, "reached 3 of 4 replicas (serviceInstance.numReplicas)", "the others' breakers were not seen")
		mustUnverified(t, r)
	})
	t.Run("fault=Railway serviceInstance query fails", func(t *testing.T) {
		bad := railwayOpFails(t, unset, "ServiceInstanceReplicas", railwayProblem)
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.BreakersClosedAtDecision(ct, bad) },
			"replicas the deployment runs: read serviceInstance.numReplicas of Railway production/hustlexp-engine: railway ServiceInstanceReplicas: "+railwayProblem)
	})
}

func TestSelfGNG5PoolMetricQuery(t *testing.T) {
	_, env := harness.World(t)
	const q = "max by (instance) (db_pool_utilisation_ratio)"
	// before, the query was skipped without a word when PROMETHEUS_URL was unset
	t.Run("fault=pool metric query set, PROMETHEUS_URL unset", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.PoolMetricQuery: q, config.PrometheusURL: ""})
		checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.PoolBelowHalf(ct, bad) }, config.PrometheusURL+" not set ("+config.PoolMetricQuery+" names a pool metric to judge)")
	})
	// before, an empty vector passed: the metric is not exported or not scraped
	t.Run("fault=pool metric query returns no series", func(t *testing.T) {
		_, p := gngPrivateProm(t, env, promfake.Options{})
		bad := p.MustWith(map[string]string{config.PoolMetricQuery: q})
		r := checktest.MustFail(t, gngTimeout, func(ct check.T) { launch.PoolBelowHalf(ct, bad) }, config.PoolMetricQuery+` "`+q+`" returned no series`)
		mustUnverified(t, r)
	})
}
