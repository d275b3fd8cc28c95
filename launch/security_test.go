//go:build prelaunch

package launch_test

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/launch"
)

// Note on order: Go runs the tests of a package in file-name order, then
// declaration order. security_test.go sorts after every other launch/ file
// (database, gonogo, infrastructure, monitoring, rollback), and SEC-6 — the
// burst that exhausts this runner's rate-limit bucket for one window — is the
// last test in this file, so it runs last in the prelaunch phase.

// SEC-1: All environment variables set in Railway (no placeholders).
func TestSecuritySecretsNoPlaceholders(t *testing.T) {
	check.Item(t, "SEC-1")
	launch.SecretsNoPlaceholders(t, harness.Target(t))
}

// SEC-2: `validateConfig()` runs on startup (server.ts).
func TestSecurityValidateConfigOnStartup(t *testing.T) {
	check.Item(t, "SEC-2")
	env := harness.Target(t)
	probe, boot := rehearsalBootProbe(t, false)
	launch.ValidateConfigOnStartup(t, env, probe, boot)
}

// SEC-3: Stripe webhook endpoint registered in Stripe Dashboard.
func TestSecurityStripeWebhookRegistered(t *testing.T) {
	check.Item(t, "SEC-3")
	launch.StripeWebhookRegistered(t, harness.Target(t))
}

// SEC-4: Firebase project set to production mode.
func TestSecurityFirebaseProductionMode(t *testing.T) {
	check.Item(t, "SEC-4")
	launch.FirebaseProductionMode(t, harness.Target(t))
}

// SEC-5: Sentry DSN configured for production.
func TestSecuritySentryDSNConfigured(t *testing.T) {
	check.Item(t, "SEC-5")
	launch.SentryDSNConfigured(t, harness.Target(t))
}

// SEC-7: CORS origins updated to production domains only.
func TestSecurityCORSProductionOnly(t *testing.T) {
	check.Item(t, "SEC-7")
	launch.CORSProductionOnly(t, harness.Target(t))
}

// SEC-8: Health endpoint does NOT expose environment info.
func TestSecurityHealthHidesEnvironment(t *testing.T) {
	check.Item(t, "SEC-8")
	launch.HealthHidesEnvironment(t, harness.Target(t))
}

// SEC-6: Rate limits verified for production load. Runs LAST in the phase:
// it locks this runner's IP out of the limited paths for one window.
func TestSecurityRateLimitsVerified(t *testing.T) {
	check.Item(t, "SEC-6")
	launch.RateLimitsVerified(t, harness.Target(t))
}
