// Package sweep finds and removes what launchcheck runs left behind in a
// real system: database rows and Stripe objects carrying the run tag
// (launchcheck-<runid>). Checks clean up after themselves in t.Cleanup; the
// sweeper is for runs that crashed before their cleanup ran. The hardening
// tests use Find to count residue after a run.
package sweep

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/pg"
	"github.com/hustlexp/launchcheck/internal/stripex"
)

// Options say what to look for and where.
type Options struct {
	DSN      string         // Postgres URL with DELETE rights ("" = skip the database)
	Stripe   *config.Config // Stripe key and base URL ("" key = skip Stripe)
	Tag      string         // only this run's tag (launchcheck-<runid>); "" = every launchcheck tag
	MinAge   time.Duration  // only objects created at least this long ago
	DryRun   bool           // count, do not remove
	MaxPages int            // Stripe list pages per resource (100 objects each); 0 = 20
}

// Result counts what was found (and removed unless DryRun), per table or
// Stripe resource.
type Result struct {
	Rows     map[string]int // table → rows
	Stripe   map[string]int // resource → objects
	Removed  bool
	Problems []string // what could not be looked at or removed, and why

	linked map[string]bool // Stripe ids referenced by swept escrows
}

// Total is the number of rows and objects found.
func (r Result) Total() int {
	n := 0
	for _, v := range r.Rows {
		n += v
	}
	for _, v := range r.Stripe {
		n += v
	}
	return n
}

// String is a one-line summary per table/resource, stable order.
func (r Result) String() string {
	var parts []string
	for k, v := range r.Rows {
		if v > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", k, v))
		}
	}
	for k, v := range r.Stripe {
		if v > 0 {
			parts = append(parts, fmt.Sprintf("stripe.%s=%d", k, v))
		}
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return "nothing found"
	}
	return strings.Join(parts, ", ")
}

// Find counts without removing anything.
func Find(ctx context.Context, o Options) Result { o.DryRun = true; return Run(ctx, o) }

// Run finds and (unless DryRun) removes leftovers.
func Run(ctx context.Context, o Options) Result {
	res := Result{Rows: map[string]int{}, Stripe: map[string]int{}, Removed: !o.DryRun, linked: map[string]bool{}}
	if o.DSN != "" {
		if err := sweepDB(ctx, o, &res); err != nil {
			res.Problems = append(res.Problems, "database: "+err.Error())
		}
	}
	if o.Stripe != nil && o.Stripe.Get(config.StripeSecretKey) != "" {
		sweepStripe(ctx, o, &res)
	}
	return res
}

func pattern(o Options) string {
	if o.Tag != "" {
		return "%" + strings.NewReplacer(`%`, `\%`, `_`, `\_`).Replace(o.Tag) + "%"
	}
	return "%launchcheck-%"
}

// tagged says, per table, how a row shows it was made by a run. Tables that
// do not exist on the target are skipped.
var tagged = []struct{ table, where string }{
	{"users", "(email LIKE $1 OR full_name LIKE $1 OR coalesce(firebase_uid,'') LIKE $1)"},
	{"tasks", "(title LIKE $1 OR description LIKE $1 OR poster_id IN (SELECT id FROM _lc_users))"},
	{"stripe_events", "(stripe_event_id LIKE $1 OR payload_json::text LIKE $1)"},
	{"processed_stripe_events", "(event_id LIKE $1 OR coalesce(object_id,'') LIKE $1)"},
	{"outbox_events", "(coalesce(idempotency_key,'') LIKE $1 OR coalesce(aggregate_id,'') LIKE $1 OR payload::text LIKE $1 OR aggregate_id IN (SELECT id::text FROM _lc_tasks))"},
}

// dependants are deleted before the tagged tasks and users they reference.
var dependants = []struct{ table, where string }{
	{"xp_ledger", "task_id IN (SELECT id FROM _lc_tasks) OR user_id IN (SELECT id FROM _lc_users)"},
	{"matching_scores", "task_id IN (SELECT id FROM _lc_tasks) OR hustler_id IN (SELECT id FROM _lc_users)"},
	{"task_messages", "task_id IN (SELECT id FROM _lc_tasks)"},
	{"task_ratings", "task_id IN (SELECT id FROM _lc_tasks)"},
	{"notifications", "user_id IN (SELECT id FROM _lc_users)"},
	{"disputes", "task_id IN (SELECT id FROM _lc_tasks)"},
	{"proofs", "task_id IN (SELECT id FROM _lc_tasks)"},
	{"task_applications", "task_id IN (SELECT id FROM _lc_tasks) OR worker_id IN (SELECT id FROM _lc_users)"},
	{"escrows", "task_id IN (SELECT id FROM _lc_tasks)"},
}

// sweepDB runs in one transaction: collect the tagged users and tasks old
// enough, count (and delete) their dependants, then them. Any error rolls
// everything back.
func sweepDB(ctx context.Context, o Options, res *Result) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	conn, err := pg.Connect(ctx, o.DSN, 30*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	exists := func(t string) bool {
		var ok bool
		tx.QueryRow(ctx, "SELECT to_regclass('public.'||$1) IS NOT NULL", t).Scan(&ok)
		return ok
	}
	pat := pattern(o)
	cutoff := fmt.Sprintf("created_at <= now() - interval '%d seconds'", int64(o.MinAge/time.Second))
	// Temp tables keep the id sets for the dependants' deletes.
	if _, err := tx.Exec(ctx, "CREATE TEMP TABLE _lc_users (id uuid) ON COMMIT DROP; CREATE TEMP TABLE _lc_tasks (id uuid) ON COMMIT DROP"); err != nil {
		return err
	}
	for _, tg := range tagged {
		if !exists(tg.table) {
			continue
		}
		q := fmt.Sprintf("SELECT count(*) FROM %s WHERE %s AND %s", tg.table, tg.where, cutoff)
		switch tg.table {
		case "users":
			if _, err := tx.Exec(ctx, fmt.Sprintf("INSERT INTO _lc_users SELECT id FROM users WHERE %s AND %s", tg.where, cutoff), pat); err != nil {
				return fmt.Errorf("users: %w", err)
			}
		case "tasks":
			if _, err := tx.Exec(ctx, fmt.Sprintf("INSERT INTO _lc_tasks SELECT id FROM tasks WHERE %s AND %s", tg.where, cutoff), pat); err != nil {
				return fmt.Errorf("tasks: %w", err)
			}
			// Tasks a tagged user works on go too (their poster may be untagged).
			if _, err := tx.Exec(ctx, "INSERT INTO _lc_tasks SELECT id FROM tasks WHERE worker_id IN (SELECT id FROM _lc_users) AND id NOT IN (SELECT id FROM _lc_tasks)"); err != nil {
				return fmt.Errorf("tasks: %w", err)
			}
		}
		var n int
		if tg.table == "users" || tg.table == "tasks" {
			q = "SELECT count(*) FROM _lc_" + tg.table
			err = tx.QueryRow(ctx, q).Scan(&n)
		} else {
			err = tx.QueryRow(ctx, q, pat).Scan(&n)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", tg.table, err)
		}
		res.Rows[tg.table] = n
	}
	for _, d := range dependants {
		if !exists(d.table) {
			continue
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+d.table+" WHERE "+d.where).Scan(&n); err != nil {
			return fmt.Errorf("%s: %w", d.table, err)
		}
		res.Rows[d.table] = n
	}
	// Stripe objects the swept escrows point at belong to the run too, even
	// when the backend created them without the run tag in their metadata.
	if exists("escrows") {
		rows, err := tx.Query(ctx, "SELECT coalesce(stripe_payment_intent_id,''), coalesce(stripe_transfer_id,'') FROM escrows WHERE task_id IN (SELECT id FROM _lc_tasks)")
		if err != nil {
			return fmt.Errorf("escrows: %w", err)
		}
		for rows.Next() {
			var pi, tr string
			if rows.Scan(&pi, &tr) == nil {
				for _, id := range []string{pi, tr} {
					if id != "" {
						res.linked[id] = true
					}
				}
			}
		}
		rows.Close()
	}
	if o.DryRun {
		return nil
	}
	for _, d := range dependants {
		if res.Rows[d.table] > 0 {
			if _, err := tx.Exec(ctx, "DELETE FROM "+d.table+" WHERE "+d.where); err != nil {
				return fmt.Errorf("delete from %s: %s", d.table, describe(err))
			}
		}
	}
	for i := len(tagged) - 1; i >= 0; i-- {
		tg := tagged[i]
		if res.Rows[tg.table] == 0 {
			continue
		}
		var err error
		switch tg.table {
		case "users", "tasks":
			_, err = tx.Exec(ctx, "DELETE FROM "+tg.table+" WHERE id IN (SELECT id FROM _lc_"+tg.table+")")
		default:
			_, err = tx.Exec(ctx, fmt.Sprintf("DELETE FROM %s WHERE %s AND %s", tg.table, tg.where, cutoff), pat)
		}
		if err != nil {
			return fmt.Errorf("delete from %s: %s", tg.table, describe(err))
		}
	}
	return tx.Commit(ctx)
}

func describe(err error) string {
	if c := pg.Code(err); c != "" {
		return fmt.Sprintf("%v (SQLSTATE %s; a guard trigger or a foreign key from a table the sweeper does not know blocks it — remove those rows by hand)", err, c)
	}
	return err.Error()
}

// isTagged says whether Stripe metadata carries the run tag.
func isTagged(md map[string]string, o Options) bool {
	for k, v := range md {
		if o.Tag != "" {
			if strings.Contains(v, o.Tag) {
				return true
			}
			continue
		}
		if strings.Contains(v, "launchcheck-") || k == "launchcheck" || strings.HasPrefix(k, "launchcheck_") {
			return true
		}
	}
	return false
}

func sweepStripe(ctx context.Context, o Options, res *Result) {
	sc := stripex.New(o.Stripe)
	pages := o.MaxPages
	if pages <= 0 {
		pages = 20
	}
	max := pages * stripex.PageSize
	cutoff := time.Now().Add(-o.MinAge).Unix()
	old := func(created int64) bool { return o.MinAge <= 0 || created <= cutoff }
	problem := func(what string, err error) {
		res.Problems = append(res.Problems, fmt.Sprintf("stripe %s: %s", what, stripex.Describe(err)))
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	// PaymentIntents: cancel the cancelable, refund the succeeded.
	var pis []*stripe.PaymentIntent
	lp := &stripe.PaymentIntentListParams{}
	lp.Limit = stripe.Int64(stripex.PageSize)
	lp.Context = ctx
	if _, _, err := stripex.Drain(ctx, sc.PaymentIntents.List(lp), max, func(v any) {
		if pi, ok := v.(*stripe.PaymentIntent); ok && (isTagged(pi.Metadata, o) || res.linked[pi.ID]) && old(pi.Created) {
			pis = append(pis, pi)
		}
	}); err != nil {
		problem("list payment_intents", err)
	}
	for _, pi := range pis {
		switch pi.Status {
		case stripe.PaymentIntentStatusCanceled:
			continue // already harmless
		case stripe.PaymentIntentStatusSucceeded:
			if pi.AmountReceived > 0 && pi.LatestCharge != nil && pi.LatestCharge.Refunded {
				continue
			}
		}
		res.Stripe["payment_intents"]++
		if o.DryRun {
			continue
		}
		var err error
		if pi.Status == stripe.PaymentIntentStatusSucceeded {
			rp := &stripe.RefundParams{PaymentIntent: stripe.String(pi.ID)}
			rp.Context = ctx
			rp.AddMetadata("launchcheck", "sweep")
			_, err = sc.Refunds.New(rp)
		} else {
			cp := &stripe.PaymentIntentCancelParams{}
			cp.Context = ctx
			_, err = sc.PaymentIntents.Cancel(pi.ID, cp)
		}
		if alreadyRefunded(err) {
			res.Stripe["payment_intents"]-- // the run's own cleanup already gave the money back
			continue
		}
		if err != nil {
			problem("remove payment_intent "+pi.ID, err)
		}
	}

	// Webhook endpoints a run registered: delete.
	wl := &stripe.WebhookEndpointListParams{}
	wl.Limit = stripe.Int64(stripex.PageSize)
	wl.Context = ctx
	var whs []string
	if _, _, err := stripex.Drain(ctx, sc.WebhookEndpoints.List(wl), max, func(v any) {
		if we, ok := v.(*stripe.WebhookEndpoint); ok && (isTagged(we.Metadata, o) || (o.Tag != "" && strings.Contains(we.URL, o.Tag))) && old(we.Created) {
			whs = append(whs, we.ID)
		}
	}); err != nil {
		problem("list webhook_endpoints", err)
	}
	res.Stripe["webhook_endpoints"] = len(whs)
	for _, id := range whs {
		if o.DryRun {
			break
		}
		p := &stripe.WebhookEndpointParams{}
		p.Context = ctx
		if _, err := sc.WebhookEndpoints.Del(id, p); err != nil {
			problem("delete webhook_endpoint "+id, err)
		}
	}

	// Customers: delete.
	cl := &stripe.CustomerListParams{}
	cl.Limit = stripe.Int64(stripex.PageSize)
	cl.Context = ctx
	var cus []string
	if _, _, err := stripex.Drain(ctx, sc.Customers.List(cl), max, func(v any) {
		if c, ok := v.(*stripe.Customer); ok && isTagged(c.Metadata, o) && old(c.Created) {
			cus = append(cus, c.ID)
		}
	}); err != nil && !notFound(err) {
		problem("list customers", err)
	}
	res.Stripe["customers"] = len(cus)
	for _, id := range cus {
		if o.DryRun {
			break
		}
		p := &stripe.CustomerParams{}
		p.Context = ctx
		if _, err := sc.Customers.Del(id, p); err != nil {
			problem("delete customer "+id, err)
		}
	}

	// Transfers cannot be deleted: a tagged, unreversed transfer is reversed
	// in full (test-mode payouts of the functional flow, or a live run that
	// was allowed to move money).
	tl := &stripe.TransferListParams{}
	tl.Limit = stripe.Int64(stripex.PageSize)
	tl.Context = ctx
	var trs []*stripe.Transfer
	if _, _, err := stripex.Drain(ctx, sc.Transfers.List(tl), max, func(v any) {
		if tr, ok := v.(*stripe.Transfer); ok && (isTagged(tr.Metadata, o) || res.linked[tr.ID]) && old(tr.Created) && !tr.Reversed {
			trs = append(trs, tr)
		}
	}); err != nil && !notFound(err) {
		problem("list transfers", err)
	}
	res.Stripe["transfers"] = len(trs)
	for _, tr := range trs {
		if o.DryRun {
			break
		}
		rp := &stripe.TransferReversalParams{ID: stripe.String(tr.ID)}
		rp.Context = ctx
		rp.AddMetadata("launchcheck", "sweep")
		if _, err := sc.TransferReversals.New(rp); err != nil {
			problem("reverse transfer "+tr.ID, err)
		}
	}
}

// alreadyRefunded: list results do not expand the charge, so a PaymentIntent
// refunded by the run's cleanup is only recognised when the refund is refused.
func alreadyRefunded(err error) bool {
	var se *stripe.Error
	return errors.As(err, &se) && se.Code == stripe.ErrorCodeChargeAlreadyRefunded
}

func notFound(err error) bool {
	var se *stripe.Error
	return errors.As(err, &se) && se.HTTPStatusCode == 404
}
