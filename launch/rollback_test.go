//go:build prelaunch

package launch_test

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/launch"
)

// RB-1: **Immediate:** Railway instant rollback to previous deployment.
func TestRollbackRailwayInstantRollback(t *testing.T) { harness.Row(t, launch.Rows, "RB-1") }

// RB-2: **Database:** Neon point-in-time recovery (PITR).
func TestRollbackNeonPITR(t *testing.T) { harness.Row(t, launch.Rows, "RB-2") }

// RB-3: **Stripe:** Webhook endpoint can be disabled in Stripe Dashboard.
func TestRollbackStripeWebhookCanBeDisabled(t *testing.T) { harness.Row(t, launch.Rows, "RB-3") }

// RB-4: **DNS:** Cloudflare can redirect to maintenance page in <30s.
func TestRollbackCloudflareMaintenancePage(t *testing.T) { harness.Row(t, launch.Rows, "RB-4") }
