//go:build prelaunch

package launch_test

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/launch"
)

// MON-1: Grafana dashboard imported (`ops/grafana/dashboard.json`).
func TestMonitoringDashboardImported(t *testing.T) {
	check.Item(t, "MON-1")
	launch.DashboardImported(t, harness.Target(t))
}

// MON-2: Alert rules deployed (`ops/alerts/critical.yml`).
func TestMonitoringAlertRulesDeployed(t *testing.T) {
	check.Item(t, "MON-2")
	launch.AlertRulesDeployed(t, harness.Target(t))
}

// MON-3: PagerDuty integration for P0 alerts.
func TestMonitoringPagerDutyForP0(t *testing.T) {
	check.Item(t, "MON-3")
	launch.PagerDutyForP0(t, harness.Target(t))
}

// MON-4: Slack #alerts channel for P1/P2.
func TestMonitoringSlackForP1P2(t *testing.T) {
	check.Item(t, "MON-4")
	launch.SlackForP1P2(t, harness.Target(t))
}

// MON-5: Sentry error tracking configured.
func TestMonitoringSentryConfigured(t *testing.T) {
	check.Item(t, "MON-5")
	launch.SentryConfigured(t, harness.Target(t))
}

// MON-6: Log aggregation (Railway logs → external if needed).
func TestMonitoringLogAggregation(t *testing.T) {
	check.Item(t, "MON-6")
	launch.LogAggregation(t, harness.Target(t))
}
