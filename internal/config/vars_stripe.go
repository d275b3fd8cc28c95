package config

// Stripe: the platform account's API and its two webhook destinations. Used by
// SEC-1/SEC-3 (webhook registration), SMK-5 (signed test event), FUN-4/5/7
// (PaymentIntents, transfers), RB-3 (disable/re-enable the endpoint) and DAY-2
// (reconciliation). The rehearsal points STRIPE_API_BASE at its stateful
// Stripe fake (fixtures/fakes/stripefake) and sets dummy test-mode secrets.
const (
	StripeAPIBase              = "STRIPE_API_BASE"
	StripeSecretKey            = "STRIPE_SECRET_KEY"
	StripeWebhookSecret        = "STRIPE_WEBHOOK_SECRET"
	StripeConnectWebhookSecret = "STRIPE_CONNECT_WEBHOOK_SECRET"
	StripeMockURL              = "STRIPE_MOCK_URL"
)

func init() {
	declare(
		Var{Name: StripeAPIBase, Kind: KindURL, Default: "https://api.stripe.com", Group: "Stripe",
			Doc: "Stripe API base URL without /v1 (stripe-go's backend URL). Live: leave the default (another base is an error with HUSTLEXP_TARGET=production). The rehearsal sets it to its Stripe fake."},
		Var{Name: StripeSecretKey, Kind: KindSecret, Group: "Stripe",
			Doc: "Secret key (sk_live_… / sk_test_…) or a restricted key (rk_…) of the HustleXP platform account. Read-only checks (SEC-3, DAY-2) work with a restricted read key; RB-3 needs write access to webhook endpoints; FUN rows need a test-mode key."},
		Var{Name: StripeWebhookSecret, Kind: KindSecret, Group: "Stripe",
			Doc: "Signing secret (whsec_…) of the PLATFORM webhook endpoint at <HUSTLEXP_BASE_URL>/webhooks/stripe — the deployment's STRIPE_WEBHOOK_SECRET; SMK-5 signs its test event with it. Must differ from the Connect secret."},
		Var{Name: StripeConnectWebhookSecret, Kind: KindSecret, Group: "Stripe",
			Doc: "Signing secret (whsec_…) of the CONNECT webhook endpoint (connect=true) at the same URL — the deployment's STRIPE_CONNECT_WEBHOOK_SECRET. Must differ from STRIPE_WEBHOOK_SECRET (equal secrets disable both destinations)."},
		Var{Name: StripeMockURL, Kind: KindURL, Group: "Stripe",
			Doc: "Optional stripe-mock base URL (e.g. http://127.0.0.1:12111) used by rehearsal shape-validation tests; never used against a live target (an error with HUSTLEXP_TARGET=production)."},
	)
}
