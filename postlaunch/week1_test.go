//go:build week1

package postlaunch_test

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/postlaunch"
)

// WK-1: Run `k6-stress.js` against production (off-peak hours).
func TestWeek1Stress(t *testing.T) {
	check.Item(t, "WK-1")
	postlaunch.StressOffPeak(t, harness.Target(t))
}

// WK-2: Review P99 latency trends.
func TestWeek1P99Trend(t *testing.T) {
	check.Item(t, "WK-2")
	postlaunch.P99Trend(t, harness.Target(t))
}

// WK-3: Check 1099-K threshold monitoring.
func TestWeek1TaxThresholds(t *testing.T) {
	check.Item(t, "WK-3")
	postlaunch.TaxThresholdMonitoring(t, harness.Target(t))
}

// WK-4: Verify backup restore works (test restore to dev).
func TestWeek1RestoreWorks(t *testing.T) {
	check.Item(t, "WK-4")
	postlaunch.RestoreWorks(t, harness.Target(t))
}

// WK-5: Review rate limit hit patterns (abuse detection).
func TestWeek1RateLimitPatterns(t *testing.T) {
	check.Item(t, "WK-5")
	postlaunch.RateLimitPatterns(t, harness.Target(t))
}
