//go:build t0

package launch_test

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/launch"
)

// GNG-1: Error rate <1% for 15 minutes.
func TestGoNoGoErrorRate(t *testing.T) {
	check.Item(t, "GNG-1")
	launch.ErrorRateBelowThreshold(t, harness.Target(t))
}

// GNG-2: P99 latency <500ms.
func TestGoNoGoP99Latency(t *testing.T) {
	check.Item(t, "GNG-2")
	launch.P99BelowSLA(t, harness.Target(t))
}

// GNG-3: No P0 alerts firing.
func TestGoNoGoNoP0Alerts(t *testing.T) {
	check.Item(t, "GNG-3")
	launch.NoP0AlertsFiring(t, harness.Target(t))
}

// GNG-4: All circuit breakers CLOSED.
func TestGoNoGoBreakersClosed(t *testing.T) {
	check.Item(t, "GNG-4")
	launch.BreakersClosedAtDecision(t, harness.Target(t))
}

// GNG-5: DB connection pool utilization <50%.
func TestGoNoGoPoolUtilisation(t *testing.T) {
	check.Item(t, "GNG-5")
	launch.PoolBelowHalf(t, harness.Target(t))
}
