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

	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"

	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/pg"
	"github.com/hustlexp/launchcheck/internal/stripeapi"
)

// Options say what to look for and where.
type Options struct {
	DSN      string         // Postgres URL with DELETE rights ("" = skip the database)
	Stripe   *config.Config // Stripe key and base URL ("" key = skip Stripe)
	Tag      string         // only this run's tag (launchcheck-<runid>); "" = every launchcheck tag
	MinAge   time.Duration  // only objects created at least this long ago
	DryRun   bool           // count, do not remove
	MaxPages int            // Stripe list pages per resource (100 objects each); 0 = 20
	Firebase *config.Config // Firebase project (emulator or service-account credentials); nil = skip Firebase
}

// Result counts what was found (and removed unless DryRun), per table or
// Stripe resource.
type Result struct {
	Rows     map[string]int // table → rows
	Stripe   map[string]int // resource → objects
	Firebase map[string]int // "users" → test accounts
	Removed  bool
	Problems []string // what could not be looked at or removed, and why

	linked       map[string]bool // Stripe ids referenced by swept escrows
	firebaseUIDs map[string]bool // Firebase accounts of swept users
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
	for _, v := range r.Firebase {
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
	for k, v := range r.Firebase {
		if v > 0 {
			parts = append(parts, fmt.Sprintf("firebase.%s=%d", k, v))
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
	res := Result{Rows: map[string]int{}, Stripe: map[string]int{}, Firebase: map[string]int{}, Removed: !o.DryRun, linked: map[string]bool{}, firebaseUIDs: map[string]bool{}}
	if o.DSN != "" {
		if err := sweepDB(ctx, o, &res); err != nil {
			res.Problems = append(res.Problems, "database: "+err.Error())
		}
	}
	if o.Stripe != nil && o.Stripe.Get(config.StripeSecretKey) != "" {
		sweepStripe(ctx, o, &res)
	}
	if o.Firebase != nil {
		sweepFirebase(ctx, o, &res)
	}
	return res
}

func pattern(o Options) string {
	if o.Tag != "" {
		return "%" + strings.NewReplacer(`%`, `\%`, `_`, `\_`).Replace(o.Tag) + "%"
	}
	return "%launchcheck-%"
}

// clause is one way a row can show it belongs to a run; it is used only
// when the table has every column it names (older schemas differ from the
// real one: task_applications.worker_id instead of hustler_id, …).
type clause struct {
	cols []string
	sql  string
}

// tagged says, per table, how a row shows it was made by a run. Tables that
// do not exist on the target are skipped. Casts to text keep the LIKEs valid
// whatever the column type (outbox_events.aggregate_id is uuid in the real
// schema).
var tagged = []struct {
	table   string
	clauses []clause
}{
	{"users", []clause{{[]string{"email"}, "email::text LIKE $1"}, {[]string{"full_name"}, "full_name::text LIKE $1"}, {[]string{"firebase_uid"}, "firebase_uid::text LIKE $1"}}},
	{"tasks", []clause{{[]string{"title"}, "title::text LIKE $1"}, {[]string{"description"}, "description::text LIKE $1"}, {[]string{"poster_id"}, "poster_id IN (SELECT id FROM _lc_users)"}}},
	{"stripe_events", []clause{{[]string{"stripe_event_id"}, "stripe_event_id::text LIKE $1"}, {[]string{"payload_json"}, "payload_json::text LIKE $1"}}},
	{"processed_stripe_events", []clause{{[]string{"event_id"}, "event_id::text LIKE $1"}, {[]string{"object_id"}, "object_id::text LIKE $1"}}},
	{"outbox_events", []clause{{[]string{"idempotency_key"}, "idempotency_key::text LIKE $1"}, {[]string{"aggregate_id"}, "aggregate_id::text LIKE $1"},
		{[]string{"payload"}, "payload::text LIKE $1"}, {[]string{"aggregate_id"}, "aggregate_id::text IN (SELECT id::text FROM _lc_tasks)"},
		{[]string{"aggregate_id"}, "aggregate_id::text IN (SELECT e.id::text FROM escrows e WHERE e.task_id IN (SELECT id FROM _lc_tasks))"}}},
}

// dependants are deleted before the tagged tasks and users they reference
// (known tables first; then any other table with a foreign key to users,
// tasks or escrows, found in the catalog).
var dependants = []struct {
	table   string
	clauses []clause
}{
	{"xp_ledger", []clause{{[]string{"task_id"}, "task_id IN (SELECT id FROM _lc_tasks)"}, {[]string{"user_id"}, "user_id IN (SELECT id FROM _lc_users)"}}},
	{"task_matching_scores", []clause{{[]string{"task_id"}, "task_id IN (SELECT id FROM _lc_tasks)"}, {[]string{"hustler_id"}, "hustler_id IN (SELECT id FROM _lc_users)"}}},
	{"task_messages", []clause{{[]string{"task_id"}, "task_id IN (SELECT id FROM _lc_tasks)"}}},
	{"task_ratings", []clause{{[]string{"task_id"}, "task_id IN (SELECT id FROM _lc_tasks)"}}},
	{"notifications", []clause{{[]string{"user_id"}, "user_id IN (SELECT id FROM _lc_users)"}}},
	{"disputes", []clause{{[]string{"task_id"}, "task_id IN (SELECT id FROM _lc_tasks)"}}},
	{"proofs", []clause{{[]string{"task_id"}, "task_id IN (SELECT id FROM _lc_tasks)"}}},
	{"task_applications", []clause{{[]string{"task_id"}, "task_id IN (SELECT id FROM _lc_tasks)"}, {[]string{"worker_id"}, "worker_id IN (SELECT id FROM _lc_users)"},
		{[]string{"hustler_id"}, "hustler_id IN (SELECT id FROM _lc_users)"}}},
	{"escrows", []clause{{[]string{"task_id"}, "task_id IN (SELECT id FROM _lc_tasks)"}}},
}

// where joins the clauses whose columns the table has; "" when none applies.
func where(cols map[string]bool, cs []clause) string {
	var parts []string
	for _, c := range cs {
		ok := true
		for _, col := range c.cols {
			ok = ok && cols[col]
		}
		if ok {
			parts = append(parts, c.sql)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

type dep struct{ table, where string }

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
	columns := func(t string) (map[string]bool, error) {
		rows, err := tx.Query(ctx, "SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1", t)
		if err != nil {
			return nil, err
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, err
		}
		m := map[string]bool{}
		for _, n := range names {
			m[n] = true
		}
		return m, nil
	}
	pat := pattern(o)
	age := func(cols map[string]bool) (string, bool) {
		if o.MinAge <= 0 {
			return "true", true
		}
		if !cols["created_at"] {
			return "", false
		}
		return fmt.Sprintf("created_at <= now() - interval '%d seconds'", int64(o.MinAge/time.Second)), true
	}
	// Temp tables keep the id sets for the dependants' deletes.
	if _, err := tx.Exec(ctx, "CREATE TEMP TABLE _lc_users (id uuid) ON COMMIT DROP; CREATE TEMP TABLE _lc_tasks (id uuid) ON COMMIT DROP; CREATE TEMP TABLE _lc_escrows (id uuid) ON COMMIT DROP"); err != nil {
		return err
	}
	tagWhere := map[string]string{}
	for _, tg := range tagged {
		cols, err := columns(tg.table)
		if err != nil {
			return fmt.Errorf("%s: %w", tg.table, err)
		}
		if len(cols) == 0 {
			continue // no such table here
		}
		w := where(cols, tg.clauses)
		cut, ok := age(cols)
		if w == "" || !ok {
			res.Problems = append(res.Problems, fmt.Sprintf("%s: no column to recognise run rows or their age (has %d columns): not swept", tg.table, len(cols)))
			continue
		}
		w = w + " AND " + cut
		tagWhere[tg.table] = w
		var n int
		switch tg.table {
		case "users", "tasks":
			if _, err := tx.Exec(ctx, fmt.Sprintf("INSERT INTO _lc_%s SELECT id FROM %s WHERE %s", tg.table, tg.table, w), pat); err != nil {
				return fmt.Errorf("%s: %w", tg.table, err)
			}
			if tg.table == "tasks" && cols["worker_id"] {
				// Tasks a tagged user works on go too (their poster may be untagged).
				if _, err := tx.Exec(ctx, "INSERT INTO _lc_tasks SELECT id FROM tasks WHERE worker_id IN (SELECT id FROM _lc_users) AND id NOT IN (SELECT id FROM _lc_tasks)"); err != nil {
					return fmt.Errorf("tasks: %w", err)
				}
			}
			err = tx.QueryRow(ctx, "SELECT count(*) FROM _lc_"+tg.table).Scan(&n)
		default:
			err = tx.QueryRow(ctx, fmt.Sprintf("SELECT count(*) FROM %s WHERE %s", tg.table, w), pat).Scan(&n)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", tg.table, err)
		}
		res.Rows[tg.table] = n
	}
	var deps []dep
	known := map[string]bool{}
	for _, tg := range tagged {
		known[tg.table] = true
	}
	for _, d := range dependants {
		known[d.table] = true
		cols, err := columns(d.table)
		if err != nil {
			return fmt.Errorf("%s: %w", d.table, err)
		}
		if w := where(cols, d.clauses); w != "" {
			deps = append(deps, dep{d.table, w})
		}
	}
	if cols, err := columns("escrows"); err == nil && cols["task_id"] {
		if _, err := tx.Exec(ctx, "INSERT INTO _lc_escrows SELECT id FROM escrows WHERE task_id IN (SELECT id FROM _lc_tasks)"); err != nil {
			return fmt.Errorf("escrows: %w", err)
		}
	}
	fks, err := foreignDependants(ctx, tx, known)
	if err != nil {
		return err
	}
	deps = append(deps, fks...)
	for _, d := range deps {
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{d.table}.Sanitize()+" WHERE "+d.where).Scan(&n); err != nil {
			return fmt.Errorf("%s: %w", d.table, err)
		}
		res.Rows[d.table] += n
	}
	// Firebase accounts of the swept users go too (sweepFirebase).
	if cols, _ := columns("users"); cols["firebase_uid"] {
		uids, err := tx.Query(ctx, "SELECT firebase_uid::text FROM users WHERE id IN (SELECT id FROM _lc_users) AND firebase_uid IS NOT NULL")
		if err != nil {
			return fmt.Errorf("users.firebase_uid: %w", err)
		}
		list, err := pgx.CollectRows(uids, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("users.firebase_uid: %w", err)
		}
		for _, u := range list {
			res.firebaseUIDs[u] = true
		}
	}
	// Stripe objects the swept escrows point at belong to the run too, even
	// when the backend created them without the run tag in their metadata.
	if cols, _ := columns("escrows"); cols["stripe_payment_intent_id"] && cols["stripe_transfer_id"] {
		rows, err := tx.Query(ctx, "SELECT coalesce(stripe_payment_intent_id::text,''), coalesce(stripe_transfer_id::text,'') FROM escrows WHERE id IN (SELECT id FROM _lc_escrows)")
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
	// Dependants may reference each other: delete in passes, each attempt in
	// a savepoint, until none is left or a pass makes no progress.
	pending := []dep{}
	for _, d := range deps {
		if res.Rows[d.table] > 0 {
			pending = append(pending, d)
		}
	}
	for pass := 0; len(pending) > 0; pass++ {
		var next []dep
		var lastErr error
		for _, d := range pending {
			if _, err := tx.Exec(ctx, "SAVEPOINT lc_dep"); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "DELETE FROM "+pgx.Identifier{d.table}.Sanitize()+" WHERE "+d.where); err != nil {
				if _, rerr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT lc_dep"); rerr != nil {
					return rerr
				}
				next, lastErr = append(next, d), fmt.Errorf("delete from %s: %s", d.table, describe(err))
				continue
			}
			if _, err := tx.Exec(ctx, "RELEASE SAVEPOINT lc_dep"); err != nil {
				return err
			}
		}
		if len(next) == len(pending) || pass > 8 {
			return lastErr
		}
		pending = next
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
			_, err = tx.Exec(ctx, fmt.Sprintf("DELETE FROM %s WHERE %s", tg.table, tagWhere[tg.table]), pat)
		}
		if err != nil {
			return fmt.Errorf("delete from %s: %s", tg.table, describe(err))
		}
	}
	return tx.Commit(ctx)
}

// foreignDependants finds the other tables with a single-column foreign key
// to users, tasks or escrows (the real schema has many more than the known
// list): their rows that point at swept rows go first.
func foreignDependants(ctx context.Context, tx pgx.Tx, known map[string]bool) ([]dep, error) {
	rows, err := tx.Query(ctx, `SELECT c.conrelid::regclass::text, a.attname::text, p.relname::text
		FROM pg_constraint c
		JOIN pg_class p ON p.oid = c.confrelid
		JOIN pg_namespace n ON n.oid = p.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		WHERE c.contype = 'f' AND n.nspname = 'public' AND array_length(c.conkey, 1) = 1
		  AND p.relname IN ('users', 'tasks', 'escrows')
		ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("foreign keys: %w", err)
	}
	defer rows.Close()
	byTable := map[string][]string{}
	var order []string
	for rows.Next() {
		var table, col, parent string
		if err := rows.Scan(&table, &col, &parent); err != nil {
			return nil, err
		}
		if known[strings.TrimPrefix(table, "public.")] {
			continue
		}
		if _, seen := byTable[table]; !seen {
			order = append(order, table)
		}
		byTable[table] = append(byTable[table], fmt.Sprintf("%s IN (SELECT id FROM _lc_%s)", pgx.Identifier{col}.Sanitize(), parent))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []dep
	for _, t := range order {
		out = append(out, dep{strings.TrimPrefix(t, "public."), "(" + strings.Join(byTable[t], " OR ") + ")"})
	}
	return out, nil
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
	sc := stripeapi.New(o.Stripe)
	pages := o.MaxPages
	if pages <= 0 {
		pages = 20
	}
	max := pages * stripeapi.PageSize
	cutoff := time.Now().Add(-o.MinAge).Unix()
	old := func(created int64) bool { return o.MinAge <= 0 || created <= cutoff }
	problem := func(what string, err error) {
		res.Problems = append(res.Problems, fmt.Sprintf("stripe %s: %s", what, stripeapi.Describe(err)))
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	// PaymentIntents: cancel the cancelable, refund the succeeded.
	var pis []*stripe.PaymentIntent
	lp := &stripe.PaymentIntentListParams{}
	lp.Limit = stripe.Int64(stripeapi.PageSize)
	lp.Context = ctx
	if _, _, err := stripeapi.Drain(ctx, sc.PaymentIntents.List(lp), max, func(v any) {
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
	wl.Limit = stripe.Int64(stripeapi.PageSize)
	wl.Context = ctx
	var whs []string
	if _, _, err := stripeapi.Drain(ctx, sc.WebhookEndpoints.List(wl), max, func(v any) {
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
	cl.Limit = stripe.Int64(stripeapi.PageSize)
	cl.Context = ctx
	var cus []string
	if _, _, err := stripeapi.Drain(ctx, sc.Customers.List(cl), max, func(v any) {
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
	tl.Limit = stripe.Int64(stripeapi.PageSize)
	tl.Context = ctx
	var trs []*stripe.Transfer
	if _, _, err := stripeapi.Drain(ctx, sc.Transfers.List(tl), max, func(v any) {
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
