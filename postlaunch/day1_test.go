//go:build day1

package postlaunch_test

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/postlaunch"
)

// DAY-1: Monitor error rate continuously.
func TestDay1ErrorRate(t *testing.T) { harness.Row(t, postlaunch.Rows, "DAY-1") }

// DAY-2: Verify no escrow state drift.
func TestDay1NoEscrowDrift(t *testing.T) { harness.Row(t, postlaunch.Rows, "DAY-2") }

// DAY-3: Check AI daily spend is within $50 budget.
func TestDay1AISpend(t *testing.T) { harness.Row(t, postlaunch.Rows, "DAY-3") }

// DAY-4: Review Sentry for new error patterns.
func TestDay1SentryNewIssues(t *testing.T) { harness.Row(t, postlaunch.Rows, "DAY-4") }
