//go:build prelaunch

package launch_test

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/launch"
)

// INF-1: Railway production environment configured.
func TestInfrastructureRailwayProductionConfigured(t *testing.T) {
	harness.Row(t, launch.Rows, "INF-1")
}

// INF-2: Neon PostgreSQL production database provisioned.
func TestInfrastructureNeonProvisioned(t *testing.T) { harness.Row(t, launch.Rows, "INF-2") }

// INF-3: Upstash Redis production instance provisioned.
func TestInfrastructureUpstashProvisioned(t *testing.T) { harness.Row(t, launch.Rows, "INF-3") }

// INF-4: Custom domain + SSL configured.
func TestInfrastructureCustomDomainTLS(t *testing.T) { harness.Row(t, launch.Rows, "INF-4") }

// INF-5: CDN (Cloudflare) in front of Railway.
func TestInfrastructureCloudflareInFront(t *testing.T) { harness.Row(t, launch.Rows, "INF-5") }

// INF-6: DNS propagation verified.
func TestInfrastructureDNSPropagated(t *testing.T) { harness.Row(t, launch.Rows, "INF-6") }
