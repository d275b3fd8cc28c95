//go:build t0

package launch_test

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/launch"
)

// GNG-1: Error rate <1% for 15 minutes.
func TestGoNoGoErrorRate(t *testing.T) { harness.Row(t, launch.Rows, "GNG-1") }

// GNG-2: P99 latency <500ms.
func TestGoNoGoP99Latency(t *testing.T) { harness.Row(t, launch.Rows, "GNG-2") }

// GNG-3: No P0 alerts firing.
func TestGoNoGoNoP0Alerts(t *testing.T) { harness.Row(t, launch.Rows, "GNG-3") }

// GNG-4: All circuit breakers CLOSED.
func TestGoNoGoBreakersClosed(t *testing.T) { harness.Row(t, launch.Rows, "GNG-4") }

// GNG-5: DB connection pool utilization <50%.
func TestGoNoGoPoolUtilisation(t *testing.T) { harness.Row(t, launch.Rows, "GNG-5") }
