//go:build !prelaunch && !t0 && !day1 && !week1

package leak

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"

	"github.com/hustlexp/launchcheck/functional"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/pg"
	"github.com/hustlexp/launchcheck/internal/stripeapi"
	"github.com/hustlexp/launchcheck/internal/sweep"
)

func TestMain(m *testing.M) { harness.Main(m) }

// TestHardenFunctionalResidue (make harden): the whole functional flow
// (FUN-1…FUN-7, in the contract's order, as the tagged tests run it) against
// the rehearsal, then its cleanup, then `launchcheck sweep --tag` of the run.
// Counted by before/after snapshots (tag-independent) and by the run tag:
// the flow's cleanup must leave no Stripe object, and after the sweep nothing
// the run created may remain.
//
// The functional rows cannot run in live mode against the rehearsal (a live
// target signs users up with Google's Identity Toolkit, not the emulator), so
// this runs the flow in-process on the rehearsal's own configuration.
func TestHardenFunctionalResidue(t *testing.T) {
	cfg, err := config.FromEnv()
	if err != nil || !cfg.Bool(config.Harden) {
		t.Skip("slow end-to-end hardening: set HUSTLEXP_HARDEN=1 (make harden)")
	}
	w, env := harness.World(t)
	admin := w.AdminDSN()
	before := snap(t, admin, env.Cfg)

	flow := functional.NewFlow(env)
	rows := []struct {
		id string
		fn func(check.T, *functional.Flow)
	}{
		{"FUN-1", functional.Registration}, {"FUN-2", functional.TaskCreation}, {"FUN-5", functional.PaymentIntentCreation},
		{"FUN-4", functional.EscrowFunding}, {"FUN-3", functional.TaskAcceptance}, {"FUN-6", functional.ProofSubmission},
		{"FUN-7", functional.EscrowRelease},
	}
	var statuses []string
	passed := 0
	for _, r := range rows {
		res := checktest.Run(t, 2*time.Minute, func(ct check.T) { check.Item(ct, r.id); r.fn(ct, flow) })
		statuses = append(statuses, r.id+"="+res.Status())
		if res.Status() == "pass" {
			passed++
		} else {
			t.Logf("%s %s: %s", r.id, res.Status(), res.Text())
		}
	}
	during := snap(t, admin, env.Cfg)
	created := diff(before, during)
	for _, line := range flow.Close() {
		t.Logf("cleanup: %s", line)
	}
	after := snap(t, admin, env.Cfg)
	left := diff(before, after)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tagged := sweep.Find(ctx, sweep.Options{DSN: admin, Stripe: env.Cfg, Tag: env.Tag()})
	t.Logf("functional flow: %s; created %d (%s); left after cleanup %d (%s); tagged %s: %s",
		strings.Join(statuses, " "), total(created), strings.Join(created, ", "), total(left), strings.Join(left, ", "), env.Tag(), tagged)
	if passed < len(rows) {
		t.Errorf("only %d of %d functional rows passed on the rehearsal: the residue count covers a partial flow", passed, len(rows))
	}
	if total(created) == 0 {
		t.Errorf("the flow created nothing: the residue count proves nothing")
	}
	// A live run has only a read-only database role: rows the backend wrote
	// for the flow are left to `launchcheck sweep` (HUSTLEXP_SWEEP_DATABASE_URL).
	// Stripe objects need no database access, so the flow's own cleanup must
	// remove them (cancel, refund, reverse).
	for _, l := range left {
		if strings.HasPrefix(l, "stripe ") {
			t.Errorf("the functional flow's cleanup left Stripe %s", strings.TrimPrefix(l, "stripe "))
		}
	}
	// Whatever a crashed run would leave, `launchcheck sweep` must remove.
	swept := sweep.Run(ctx, sweep.Options{DSN: admin, Stripe: env.Cfg, Tag: env.Tag()})
	final := diff(before, snap(t, admin, env.Cfg))
	t.Logf("after launchcheck sweep --tag %s: %d left (%s); swept %s", env.Tag(), total(final), strings.Join(final, ", "), swept)
	if len(swept.Problems) > 0 {
		t.Errorf("sweep problems: %v", swept.Problems)
	}
	if n := total(final); n > 0 {
		t.Errorf("the sweeper left %d of the flow's rows/objects: %s", n, strings.Join(final, ", "))
	}
}

type snapshot struct {
	counts map[string]int
	live   map[string]string
}

func snap(t *testing.T, admin string, cfg *config.Config) snapshot {
	t.Helper()
	s := snapshot{counts: map[string]int{}, live: map[string]string{}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tables := []string{"users", "tasks", "escrows", "proofs", "task_applications", "xp_ledger", "disputes",
		"stripe_events", "processed_stripe_events", "outbox_events", "notifications"}
	err := pg.Query(ctx, admin, 10*time.Second, func(tx pgx.Tx) error {
		for _, tb := range tables {
			var ok bool
			tx.QueryRow(ctx, "SELECT to_regclass('public.'||$1) IS NOT NULL", tb).Scan(&ok)
			if !ok {
				continue
			}
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+tb).Scan(&n); err != nil {
				return err
			}
			s.counts["db."+tb] = n
		}
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	sc := stripeapi.New(cfg)
	refunded := map[string]int64{}
	rl := &stripe.RefundListParams{}
	rl.Limit = stripe.Int64(100)
	rl.Context = ctx
	stripeapi.Drain(ctx, sc.Refunds.List(rl), 5000, func(v any) {
		if r, ok := v.(*stripe.Refund); ok && r.PaymentIntent != nil {
			refunded[r.PaymentIntent.ID] += r.Amount
		}
	})
	pl := &stripe.PaymentIntentListParams{}
	pl.Limit = stripe.Int64(100)
	pl.Context = ctx
	if _, _, err := stripeapi.Drain(ctx, sc.PaymentIntents.List(pl), 5000, func(v any) {
		if pi, ok := v.(*stripe.PaymentIntent); ok && pi.Status != stripe.PaymentIntentStatusCanceled &&
			!(pi.Status == stripe.PaymentIntentStatusSucceeded && refunded[pi.ID] >= pi.Amount) {
			s.live[pi.ID] = "payment_intent(" + string(pi.Status) + ")"
		}
	}); err != nil {
		t.Fatalf("stripe: %s", stripeapi.Describe(err))
	}
	tl := &stripe.TransferListParams{}
	tl.Limit = stripe.Int64(100)
	tl.Context = ctx
	stripeapi.Drain(ctx, sc.Transfers.List(tl), 5000, func(v any) {
		if tr, ok := v.(*stripe.Transfer); ok && !tr.Reversed {
			s.live[tr.ID] = "transfer(not reversed)"
		}
	})
	return s
}

func diff(a, b snapshot) []string {
	var out []string
	for k, n := range b.counts {
		if d := n - a.counts[k]; d > 0 {
			out = append(out, fmt.Sprintf("%s +%d", k, d))
		}
	}
	for id, what := range b.live {
		if _, ok := a.live[id]; !ok {
			out = append(out, "stripe "+what+" "+id)
		}
	}
	sort.Strings(out)
	return out
}

func total(lines []string) int {
	n := 0
	for _, l := range lines {
		var d int
		if i := strings.LastIndex(l, " +"); i >= 0 && strings.HasPrefix(l, "db.") {
			fmt.Sscanf(l[i+2:], "%d", &d)
			n += d
		} else {
			n++
		}
	}
	return n
}
