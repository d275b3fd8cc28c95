//go:build week1

package postlaunch_test

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/postlaunch"
)

// WK-1: Run `k6-stress.js` against production (off-peak hours).
func TestWeek1Stress(t *testing.T) { harness.Row(t, postlaunch.Rows, "WK-1") }

// WK-2: Review P99 latency trends.
func TestWeek1P99Trend(t *testing.T) { harness.Row(t, postlaunch.Rows, "WK-2") }

// WK-3: Check 1099-K threshold monitoring.
func TestWeek1TaxThresholds(t *testing.T) { harness.Row(t, postlaunch.Rows, "WK-3") }

// WK-4: Verify backup restore works (test restore to dev).
func TestWeek1RestoreWorks(t *testing.T) { harness.Row(t, postlaunch.Rows, "WK-4") }

// WK-5: Review rate limit hit patterns (abuse detection).
func TestWeek1RateLimitPatterns(t *testing.T) { harness.Row(t, postlaunch.Rows, "WK-5") }
