package launch

import (
	"context"
	"fmt"
	"strings"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/hxapi"
	"github.com/hustlexp/launchcheck/internal/target"
)

// Target identity: before a live row judges anything, it asks what the
// target says it is — /health's build.environment and the mode of the
// Stripe key the suite was given — and compares that with HUSTLEXP_TARGET.
// A production run answered by a "development" build, or holding an
// sk_test_ key, is not looking at production; a staging run holding a live
// key would move real money. Neither needs Railway credentials to see.

// Identity is what a target says about itself.
type Identity struct {
	Environment string // /health build.environment; "" when not exposed
	EnvSeen     string // how build.environment was seen ("development", "not exposed", "unreachable: …")
	StripeMode  string // live | test | unknown (from STRIPE_SECRET_KEY's prefix)
	Mismatches  []string
}

// String is the evidence/report line, e.g.
// "target=production build.environment=development stripe_key=test".
func (id Identity) String(tgt config.Target) string {
	return fmt.Sprintf("target=%s build.environment=%s stripe_key=%s", tgt, id.EnvSeen, id.StripeMode)
}

// StripeKeyMode is live/test for sk_/rk_ keys, "unknown" otherwise (never the key).
func StripeKeyMode(key string) string {
	switch {
	case strings.HasPrefix(key, "sk_live_"), strings.HasPrefix(key, "rk_live_"):
		return "live"
	case strings.HasPrefix(key, "sk_test_"), strings.HasPrefix(key, "rk_test_"):
		return "test"
	case key == "":
		return "not set"
	}
	return "unknown"
}

// TargetIdentity reads the identity and judges it against HUSTLEXP_TARGET.
func TargetIdentity(ctx context.Context, env *target.Env) Identity {
	id := Identity{StripeMode: StripeKeyMode(env.Cfg.Get(config.StripeSecretKey)), EnvSeen: "not asked (" + config.BaseURL + " not set)"}
	if env.Cfg.Get(config.BaseURL) != "" {
		h, r, err := hxapi.New(env).Health(ctx)
		switch {
		case err != nil:
			id.EnvSeen = "unreachable: " + hxapi.Excerpt([]byte(err.Error()), 120)
		case h.Build != nil && h.Build.Environment != "":
			id.Environment, id.EnvSeen = h.Build.Environment, h.Build.Environment
		case h.Environment != "": // older deployments' top-level environment
			id.Environment, id.EnvSeen = h.Environment, h.Environment
		default:
			id.EnvSeen = fmt.Sprintf("not exposed (GET /health = %d)", r.Status)
		}
	}
	tgt := env.Cfg.Target
	env_ := strings.ToLower(id.Environment)
	switch tgt {
	case config.Production:
		if env_ != "" && env_ != "production" && env_ != "prod" {
			id.Mismatches = append(id.Mismatches, fmt.Sprintf("HUSTLEXP_TARGET=production but /health reports build.environment %q: %s points at a non-production build", id.Environment, config.BaseURL))
		}
		if id.StripeMode == "test" {
			id.Mismatches = append(id.Mismatches, fmt.Sprintf("HUSTLEXP_TARGET=production but %s is a test-mode key (sk_test_/rk_test_): the suite is not talking to production Stripe", config.StripeSecretKey))
		}
	case config.Staging:
		if id.StripeMode == "live" {
			id.Mismatches = append(id.Mismatches, fmt.Sprintf("HUSTLEXP_TARGET=staging but %s is a live-mode key (sk_live_/rk_live_): a staging run must not hold production Stripe credentials", config.StripeSecretKey))
		}
	}
	return id
}

// identityFirst records the target identity as evidence and, in a live
// run, fails the row on a mismatch — before any credential is needed.
func identityFirst(t check.T, env *target.Env, row string) {
	t.Helper()
	if !env.Cfg.Live() {
		return
	}
	ctx := check.Ctx(t, env.Cfg)
	id := TargetIdentity(ctx, env)
	check.Evidence(t, "target_identity", id.String(env.Cfg.Target))
	if len(id.Mismatches) > 0 {
		t.Fatalf("%s target identity mismatch: %s", row, strings.Join(id.Mismatches, "; "))
	}
}
