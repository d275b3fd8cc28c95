package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/hustlexp/launchcheck/fixtures/fakes/stripefake"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/world"
)

// RehearsalStripeKey is the dummy test-mode secret key of the Stripe fake.
const RehearsalStripeKey = "sk_test_rehearsalhustlexp0000000000"

func init() {
	// The fake starts before the stand-in (Order 10) so the stand-in reads
	// STRIPE_API_BASE and both webhook secrets from the world.
	Register(world.Component{Name: "stripe", Order: 5, Start: func(ctx context.Context, w *world.World) error {
		f := stripefake.New(stripefake.Options{SecretKey: RehearsalStripeKey})
		w.OnClose(f.Close)
		partsOf(w).Stripe = f
		w.SetEnv(config.StripeAPIBase, f.URL)
		w.SetEnv(config.StripeSecretKey, RehearsalStripeKey)
		w.SetEnv(config.StripeWebhookSecret, "whsec_platform_"+randHex(16))
		w.SetEnv(config.StripeConnectWebhookSecret, "whsec_connect_"+randHex(16))
		return nil
	}})
	// Once the stand-in has a base URL, register the two healthy webhook
	// endpoints (platform + Connect) at <base>/webhooks/stripe.
	Register(world.Component{Name: "stripe-endpoints", Order: 30, Start: func(ctx context.Context, w *world.World) error {
		env := w.Env()
		base := strings.TrimRight(env[config.BaseURL], "/")
		if base == "" {
			base = "http://127.0.0.1:3000" // no stand-in registered in this binary
		}
		partsOf(w).Stripe.AddHealthyEndpoints(base+"/webhooks/stripe", env[config.StripeWebhookSecret], env[config.StripeConnectWebhookSecret])
		return nil
	}})
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
