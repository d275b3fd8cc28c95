//go:build day1

package postlaunch_test

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/postlaunch"
)

// DAY-1: Monitor error rate continuously.
func TestDay1ErrorRate(t *testing.T) {
	check.Item(t, "DAY-1")
	postlaunch.ErrorRateMonitored(t, harness.Target(t))
}

// DAY-2: Verify no escrow state drift.
func TestDay1NoEscrowDrift(t *testing.T) {
	check.Item(t, "DAY-2")
	postlaunch.NoEscrowDrift(t, harness.Target(t))
}

// DAY-3: Check AI daily spend is within $50 budget.
func TestDay1AISpend(t *testing.T) {
	check.Item(t, "DAY-3")
	postlaunch.AISpendWithinBudget(t, harness.Target(t))
}

// DAY-4: Review Sentry for new error patterns.
func TestDay1SentryNewIssues(t *testing.T) {
	check.Item(t, "DAY-4")
	postlaunch.SentryNewIssuesReviewed(t, harness.Target(t))
}
