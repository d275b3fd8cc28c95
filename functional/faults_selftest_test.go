//go:build !prelaunch && !t0 && !day1 && !week1

package functional

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
)

// stripeSeenAs puts a front before the Stripe fake that rewrites what the
// checks read for GET <path matching re> (the backend keeps talking to the
// fake directly): the transfer "the backend made" differs from what Stripe
// holds, as when the release code passes the wrong escrow or account.
func stripeSeenAs(t *testing.T, env *target.Env, re *regexp.Regexp, edit func(obj map[string]any)) *target.Env {
	t.Helper()
	return checktest.JSONFront(t, env, config.StripeAPIBase, func(r *http.Request) bool {
		return r.Method == http.MethodGet && re.MatchString(r.URL.Path)
	}, edit)
}

var transferPath = regexp.MustCompile(`^/v1/transfers/tr_[^/]+$`)

// FUN-7: the transfer Stripe holds for the release names another escrow.
func TestSelfFUN7TransferOfAnotherEscrow(t *testing.T) {
	_, env := harness.World(t)
	bad := stripeSeenAs(t, env, transferPath, func(obj map[string]any) {
		md, _ := obj["metadata"].(map[string]any)
		if md == nil {
			md = map[string]any{}
		}
		md["escrow_id"] = "00000000-0000-4000-8000-00000000e5c0"
		obj["metadata"] = md
	})
	mustFailRow(t, bad, EscrowRelease, "metadata.escrow_id \"00000000-0000-4000-8000-00000000e5c0\"", "want escrow")
}

// FUN-7: the transfer was reversed right after it was made.
func TestSelfFUN7TransferReversed(t *testing.T) {
	_, env := harness.World(t)
	bad := stripeSeenAs(t, env, transferPath, func(obj map[string]any) { obj["reversed"] = true })
	mustFailRow(t, bad, EscrowRelease, "reversed true", "not reversed")
}

// FUN-7: the transfer pays out more than the escrow holds.
func TestSelfFUN7TransferAboveTheEscrow(t *testing.T) {
	_, env := harness.World(t)
	bad := stripeSeenAs(t, env, transferPath, func(obj map[string]any) { obj["amount"] = 500000 })
	mustFailRow(t, bad, EscrowRelease, "amount 500000", "0 < amount ≤")
}

var piPath = regexp.MustCompile(`^/v1/payment_intents/pi_[^/]+$`)

// FUN-5, one fault per condition on the PaymentIntent Stripe holds.
func TestSelfFUN5StripeSide(t *testing.T) {
	_, env := harness.World(t)
	for _, tc := range []struct {
		name string
		edit func(map[string]any)
		want []string
	}{
		{"amount differs from the price", func(o map[string]any) { o["amount"] = 4999 }, []string{"Stripe PaymentIntent amount 4999", "want the task price"}},
		{"currency not usd", func(o map[string]any) { o["currency"] = "eur" }, []string{"currency eur, want usd"}},
		{"metadata.task_id of another task", func(o map[string]any) {
			o["metadata"] = map[string]any{"task_id": "00000000-0000-4000-8000-0000000000aa"}
		}, []string{`metadata.task_id "00000000-0000-4000-8000-0000000000aa"`}},
	} {
		t.Run("fault="+tc.name, func(t *testing.T) {
			mustFailRow(t, stripeSeenAs(t, env, piPath, tc.edit), PaymentIntentCreation, tc.want...)
		})
	}
}

// A row asked of a flow that was already cleaned up, or a row the flow does
// not have, fails naming it (never runs on a torn-down state).
func TestSelfFlowMisuse(t *testing.T) {
	_, env := harness.World(t)
	f := newFlow(t, env)
	checktest.MustFail(t, selfTimeout, func(ct check.T) { f.Row(ct, "FUN-9") }, "unknown functional row FUN-9")
	f.Close()
	checktest.MustFail(t, selfTimeout, func(ct check.T) { f.Row(ct, "FUN-1") }, "FUN-1: the functional flow was already cleaned up")
}
