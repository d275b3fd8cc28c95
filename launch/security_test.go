//go:build prelaunch

package launch_test

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/launch"
)

// Note on order: Go runs the tests of a package in file-name order, then
// declaration order. security_test.go sorts after every other launch/ file
// (database, gonogo, infrastructure, monitoring, rollback), and SEC-6 — the
// burst that exhausts this runner's rate-limit bucket for one window — is the
// last test in this file, so it runs last in the prelaunch phase.

// SEC-1: All environment variables set in Railway (no placeholders).
func TestSecuritySecretsNoPlaceholders(t *testing.T) { harness.Row(t, launch.Rows, "SEC-1") }

// SEC-2: `validateConfig()` runs on startup (server.ts).
func TestSecurityValidateConfigOnStartup(t *testing.T) { harness.Row(t, launch.Rows, "SEC-2") }

// SEC-3: Stripe webhook endpoint registered in Stripe Dashboard.
func TestSecurityStripeWebhookRegistered(t *testing.T) { harness.Row(t, launch.Rows, "SEC-3") }

// SEC-4: Firebase project set to production mode.
func TestSecurityFirebaseProductionMode(t *testing.T) { harness.Row(t, launch.Rows, "SEC-4") }

// SEC-5: Sentry DSN configured for production.
func TestSecuritySentryDSNConfigured(t *testing.T) { harness.Row(t, launch.Rows, "SEC-5") }

// SEC-7: CORS origins updated to production domains only.
func TestSecurityCORSProductionOnly(t *testing.T) { harness.Row(t, launch.Rows, "SEC-7") }

// SEC-8: Health endpoint does NOT expose environment info.
func TestSecurityHealthHidesEnvironment(t *testing.T) { harness.Row(t, launch.Rows, "SEC-8") }

// SEC-6: Rate limits verified for production load. Runs LAST in the phase:
// it locks this runner's IP out of the limited paths for one window.
func TestSecurityRateLimitsVerified(t *testing.T) { harness.Row(t, launch.Rows, "SEC-6") }
