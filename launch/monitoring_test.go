//go:build prelaunch

package launch_test

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/launch"
)

// MON-1: Grafana dashboard imported (`ops/grafana/dashboard.json`).
func TestMonitoringDashboardImported(t *testing.T) { harness.Row(t, launch.Rows, "MON-1") }

// MON-2: Alert rules deployed (`ops/alerts/critical.yml`).
func TestMonitoringAlertRulesDeployed(t *testing.T) { harness.Row(t, launch.Rows, "MON-2") }

// MON-3: PagerDuty integration for P0 alerts.
func TestMonitoringPagerDutyForP0(t *testing.T) { harness.Row(t, launch.Rows, "MON-3") }

// MON-4: Slack #alerts channel for P1/P2.
func TestMonitoringSlackForP1P2(t *testing.T) { harness.Row(t, launch.Rows, "MON-4") }

// MON-5: Sentry error tracking configured.
func TestMonitoringSentryConfigured(t *testing.T) { harness.Row(t, launch.Rows, "MON-5") }

// MON-6: Log aggregation (Railway logs → external if needed).
func TestMonitoringLogAggregation(t *testing.T) { harness.Row(t, launch.Rows, "MON-6") }
