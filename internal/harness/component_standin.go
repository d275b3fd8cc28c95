package harness

import (
	"context"
	"strconv"
	"strings"

	"github.com/hustlexp/launchcheck/fixtures/standin"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/world"
)

// RehearsalPublicLimit is the stand-in's public per-IP limit per 60 s in the
// rehearsal: large enough that one test binary fits in one window.
const RehearsalPublicLimit = 600

func init() {
	Register(world.Component{Name: "standin", Order: 10, Start: func(ctx context.Context, w *world.World) error {
		env := standin.DefaultEnv(w.AdminDSN(), w.RedisURL)
		// The backend's environment follows the world: Stripe (fake) keys and
		// webhook secrets, Firebase emulator settings, … set by earlier components.
		for k, v := range w.Env() {
			if !strings.HasPrefix(k, "HUSTLEXP_") && v != "" {
				env[k] = v
			}
		}
		s, err := standin.Start(ctx, standin.Options{
			DSN: w.AdminDSN(), RedisURL: w.RedisURL, Env: env,
			Replicas: 3, PublicLimit: RehearsalPublicLimit, AuthTierLimit: 200,
		})
		if err != nil {
			return err
		}
		w.OnClose(s.Close)
		partsOf(w).Standin = s
		w.SetEnv(config.BaseURL, s.URL)
		w.SetEnv(config.InternalAPIKey, env["INTERNAL_API_KEY"])
		w.SetEnv(config.Replicas, "3")
		w.SetEnv(config.ExpectedRateLimit, strconv.Itoa(RehearsalPublicLimit))
		w.SetEnv(config.StripeWebhookSecret, env["STRIPE_WEBHOOK_SECRET"])
		w.SetEnv(config.StripeConnectWebhookSecret, env["STRIPE_CONNECT_WEBHOOK_SECRET"])
		w.SetEnv(config.LoadDuration, "8s")
		w.SetEnv(config.LoadRate, "10")
		w.SetEnv(config.LoadMinSamples, "25")
		return nil
	}})
}
