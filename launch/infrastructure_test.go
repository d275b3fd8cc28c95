//go:build prelaunch

package launch_test

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/launch"
)

// INF-1: Railway production environment configured.
func TestInfrastructureRailwayProductionConfigured(t *testing.T) {
	check.Item(t, "INF-1")
	launch.RailwayProductionConfigured(t, harness.Target(t))
}

// INF-2: Neon PostgreSQL production database provisioned.
func TestInfrastructureNeonProvisioned(t *testing.T) {
	check.Item(t, "INF-2")
	launch.NeonProvisioned(t, harness.Target(t))
}

// INF-3: Upstash Redis production instance provisioned.
func TestInfrastructureUpstashProvisioned(t *testing.T) {
	check.Item(t, "INF-3")
	launch.UpstashProvisioned(t, harness.Target(t))
}

// INF-4: Custom domain + SSL configured.
func TestInfrastructureCustomDomainTLS(t *testing.T) {
	check.Item(t, "INF-4")
	launch.CustomDomainTLS(t, harness.Target(t))
}

// INF-5: CDN (Cloudflare) in front of Railway.
func TestInfrastructureCloudflareInFront(t *testing.T) {
	check.Item(t, "INF-5")
	launch.CloudflareInFront(t, harness.Target(t))
}

// INF-6: DNS propagation verified.
func TestInfrastructureDNSPropagated(t *testing.T) {
	check.Item(t, "INF-6")
	launch.DNSPropagated(t, harness.Target(t))
}
