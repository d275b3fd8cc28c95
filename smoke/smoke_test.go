//go:build t0

package smoke_test

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/smoke"
)

// SMK-1: `k6 run ops/load-test/k6-smoke.js` passes all thresholds.
func TestSmokeK6SmokePasses(t *testing.T) {
	t.Parallel() // read-only checks; they start after the self-tests that flip knobs
	harness.Row(t, smoke.Rows, "SMK-1")
}

// SMK-2: `/health` returns `{ status: "healthy" }`.
func TestSmokeHealthHealthy(t *testing.T) {
	t.Parallel() // read-only checks; they start after the self-tests that flip knobs
	harness.Row(t, smoke.Rows, "SMK-2")
}

// SMK-3: `/health/readiness` returns 200 with DB latency <100ms.
func TestSmokeReadinessDBLatency(t *testing.T) {
	t.Parallel() // read-only checks; they start after the self-tests that flip knobs
	harness.Row(t, smoke.Rows, "SMK-3")
}

// SMK-4: `/health/detailed` shows all circuit breakers CLOSED.
func TestSmokeBreakersClosed(t *testing.T) {
	t.Parallel() // read-only checks; they start after the self-tests that flip knobs
	harness.Row(t, smoke.Rows, "SMK-4")
}

// SMK-5: Stripe test webhook fires and processes correctly.
func TestSmokeStripeWebhookProcesses(t *testing.T) {
	t.Parallel() // read-only checks; they start after the self-tests that flip knobs
	harness.Row(t, smoke.Rows, "SMK-5")
}
