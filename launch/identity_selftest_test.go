//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

import (
	"strings"
	"testing"

	"github.com/hustlexp/launchcheck/fixtures/standin"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/launch"
)

// TestSelfTargetIdentity: a production-target run against a development
// build, or with a test-mode Stripe key, fails INF-1 and SEC-1 on the
// identity — even without Railway credentials — and says what it saw.
func TestSelfTargetIdentity(t *testing.T) {
	w, env := harness.World(t)
	si := w.Standin
	const liveKey = "sk_live_identitycheck000000000000"

	t.Run("fault=production target, sk_test_ key, no Railway credentials", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.HustlexpTarget: "production", config.RailwayToken: "", config.Waivers: ""})
		for _, row := range []struct {
			id string
			fn func(check.T)
		}{{"INF-1", func(ct check.T) { launch.RailwayProductionConfigured(ct, bad) }}, {"SEC-1", func(ct check.T) { launch.SecretsNoPlaceholders(ct, bad) }}} {
			r := checktest.MustFail(t, secTimeout, row.fn, row.id+" target identity mismatch", "test-mode key")
			if ev := r.Attrs[check.AttrEvidence+"target_identity"]; !strings.Contains(ev, "stripe_key=test") {
				t.Errorf("%s evidence target_identity = %q, want the identity seen", row.id, ev)
			}
			if strings.Contains(r.Text(), config.RailwayToken) {
				t.Errorf("%s failed on the missing credential, not on the identity: %s", row.id, r.Text())
			}
		}
	})
	t.Run(`fault=production target answered by build.environment "development"`, func(t *testing.T) {
		t.Cleanup(si.SetFaults(func(f *standin.Faults) { f.BuildEnvironment = "development" }))
		bad := env.MustWith(map[string]string{config.HustlexpTarget: "production", config.StripeSecretKey: liveKey})
		r := checktest.MustFail(t, secTimeout, func(ct check.T) { launch.RailwayProductionConfigured(ct, bad) }, `build.environment "development"`, "non-production build")
		if ev := r.Attrs[check.AttrEvidence+"target_identity"]; !strings.Contains(ev, "build.environment=development") {
			t.Errorf("evidence target_identity = %q", ev)
		}
	})
	t.Run("fault=staging target holding a live key", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.HustlexpTarget: "staging", config.StripeSecretKey: liveKey})
		id := launch.TargetIdentity(t.Context(), bad)
		if len(id.Mismatches) != 1 || !strings.Contains(id.Mismatches[0], "live-mode key") {
			t.Fatalf("staging with a live key: %+v", id)
		}
	})
	t.Run("healthy=production target, live key, environment not exposed", func(t *testing.T) {
		ok := env.MustWith(map[string]string{config.HustlexpTarget: "production", config.StripeSecretKey: liveKey})
		id := launch.TargetIdentity(t.Context(), ok)
		if len(id.Mismatches) != 0 || !strings.HasPrefix(id.EnvSeen, "not exposed") || id.StripeMode != "live" {
			t.Fatalf("healthy production identity: %+v", id)
		}
		if s := id.String(config.Production); strings.Contains(s, liveKey) {
			t.Fatalf("identity line leaks the key: %s", s)
		}
	})
}
