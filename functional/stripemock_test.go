//go:build !prelaunch && !t0 && !day1 && !week1

package functional

import (
	"net/http"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/hustlexp/launchcheck/fixtures/standin"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/stripeapi"
)

// TestStripeRequestShapes sends every Stripe request of the functional flow
// — the stand-in's (PaymentIntent create, Connect account, Transfer) and
// the suite's (retrieve with expand, confirm, metadata tag, cancel, transfer
// retrieve) — to stripe-mock, which validates parameters against Stripe's
// OpenAPI spec. It uses STRIPE_MOCK_URL, else starts stripe-mock from PATH
// or ~/go/bin (CI installs it).
func TestStripeRequestShapes(t *testing.T) {
	base := stripeMock(t)
	b := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{URL: stripe.String(base),
		HTTPClient: &http.Client{Timeout: 10 * time.Second}, MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull}})
	sc := stripeapi.NewAPI("sk_test_123", b)
	const task, poster, escrow, worker = "3f1c…task", "poster-uuid", "escrow-uuid", "worker-uuid"
	try := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("stripe-mock refused %s: %s", what, stripeapi.Describe(err))
		}
	}
	pi, err := sc.PaymentIntents.New(standin.PaymentIntentParams(task, poster, escrow, 5000, 1000))
	try("the stand-in's PaymentIntent create", err)
	gp := &stripe.PaymentIntentParams{}
	gp.AddExpand("latest_charge")
	_, err = sc.PaymentIntents.Get(pi.ID, gp)
	try("PaymentIntent retrieve with expand latest_charge", err)
	_, err = sc.PaymentIntents.Update(pi.ID, tagParams("launchcheck-selftest"))
	try("the suite's metadata tag", err)
	_, err = sc.PaymentIntents.Confirm(pi.ID, confirmParams("pm_card_visa"))
	try("the suite's confirm", err)
	_, err = sc.PaymentIntents.Cancel(pi.ID, cancelParams())
	try("the suite's cancel", err)
	acct, err := sc.Accounts.New(standin.ConnectAccountParams(worker, "w@example.com"))
	try("the stand-in's Connect account create", err)
	tr, err := sc.Transfers.New(standin.TransferParams(escrow, task, acct.ID, 4000))
	try("the stand-in's Transfer create", err)
	_, err = sc.Transfers.Get(tr.ID, &stripe.TransferParams{})
	try("Transfer retrieve", err)
	// and a malformed request is refused, so the test can fail
	bad := standin.PaymentIntentParams(task, poster, escrow, 5000, 1000)
	bad.Currency = nil
	bad.AddExtra("not_a_stripe_param", "x")
	if _, err := sc.PaymentIntents.New(bad); err == nil {
		t.Fatal("stripe-mock accepted a PaymentIntent with an unknown parameter: the shape check proves nothing")
	}
}

func stripeMock(t *testing.T) string {
	t.Helper()
	cfg, err := config.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	return checktest.StripeMock(t, cfg.Get(config.StripeMockURL))
}
