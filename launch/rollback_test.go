//go:build prelaunch

package launch_test

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/launch"
)

// RB-1: **Immediate:** Railway instant rollback to previous deployment.
func TestRollbackRailwayInstantRollback(t *testing.T) {
	check.Item(t, "RB-1")
	launch.RailwayRollbackReady(t, harness.Target(t))
}

// RB-2: **Database:** Neon point-in-time recovery (PITR).
func TestRollbackNeonPITR(t *testing.T) {
	check.Item(t, "RB-2")
	launch.NeonPITRReady(t, harness.Target(t))
}

// RB-3: **Stripe:** Webhook endpoint can be disabled in Stripe Dashboard.
func TestRollbackStripeWebhookCanBeDisabled(t *testing.T) {
	check.Item(t, "RB-3")
	launch.StripeWebhookDisableReady(t, harness.Target(t))
}

// RB-4: **DNS:** Cloudflare can redirect to maintenance page in <30s.
func TestRollbackCloudflareMaintenancePage(t *testing.T) {
	check.Item(t, "RB-4")
	launch.MaintenancePageReady(t, harness.Target(t))
}
