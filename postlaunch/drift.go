package postlaunch

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"

	"github.com/hustlexp/launchcheck/internal/stripeapi"
)

// Drift kinds (contract §12.2). SQL kinds come from the database alone;
// Stripe kinds from reconciling escrows with Stripe's lists.
const (
	DriftReleasedTaskNotCompleted = "released_task_not_completed"
	DriftFundedStale              = "funded_after_task_ended"
	DriftReleasedNoTransfer       = "released_without_transfer"
	DriftReleasedNotStripe        = "released_payout_provider_not_stripe"
	DriftRefundedNoRefund         = "refunded_without_refund_id"
	DriftNoPaymentIntent          = "funded_without_payment_intent"
	DriftStripeEventFailed        = "stripe_event_failed"
	DriftStripeEventStuck         = "stripe_event_stuck_processing"
	DriftOutboxBacklog            = "outbox_backlog"

	DriftPIMissing           = "payment_intent_missing"
	DriftPINotSucceeded      = "payment_intent_not_succeeded"
	DriftPIAmount            = "payment_intent_amount_mismatch"
	DriftPITask              = "payment_intent_task_mismatch"
	DriftPendingButPaid      = "pending_but_stripe_succeeded"
	DriftTransferMissing     = "transfer_missing"
	DriftTransferReversed    = "transfer_reversed"
	DriftTransferMetadata    = "transfer_escrow_id_mismatch"
	DriftTransferNoRelease   = "transfer_without_release"
	DriftRefundMissing       = "refund_missing"
	DriftRefundNotSucceeded  = "refund_not_succeeded"
	DriftTransferUnknownEscr = "transfer_for_unknown_escrow"
)

// Mismatch is one drift finding.
type Mismatch struct {
	Kind   string
	Ref    string // escrow id, or stripe event / outbox id for backlog kinds
	Detail string
}

// DriftParams tune the drift queries.
type DriftParams struct {
	Production   bool
	FundedMaxAge time.Duration
	StuckAfter   time.Duration
	OutboxMaxAge time.Duration
	Since        time.Time // reconciliation window start
	Lookback     time.Duration
	Grace        time.Duration
	MaxObjects   int
}

const sampleLimit = 2000

// SQLDrift runs the read-only invariant queries of DAY-2 (a). Each query is
// a materialized CTE (so LIMIT does not push the planner into index-order
// merge joins over random UUIDs) with hash joins only where the task state
// matters; at 1M escrows the three escrow queries take about a second.
func SQLDrift(ctx context.Context, tx pgx.Tx, p DriftParams) ([]Mismatch, error) {
	if _, err := tx.Exec(ctx, "SET LOCAL work_mem = '64MB'"); err != nil {
		return nil, fmt.Errorf("set work_mem: %w", err)
	}
	var out []Mismatch
	for _, stage := range []func(context.Context, pgx.Tx, DriftParams) ([]Mismatch, error){
		escrowInvariants, taskEscrowDisagreement, stripeEventBacklog, outboxBacklog,
	} {
		ms, err := stage(ctx, tx, p)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	return out, nil
}

// escrowInvariants: escrow columns alone (a RELEASED escrow has its
// transfer, a REFUNDED one its refund, every escrow its PaymentIntent).
func escrowInvariants(ctx context.Context, tx pgx.Tx, p DriftParams) ([]Mismatch, error) {
	var out []Mismatch
	rows, err := tx.Query(ctx, `WITH d AS MATERIALIZED (
		SELECT id::text, state, stripe_payment_intent_id IS NULL AS no_pi, stripe_transfer_id IS NULL AS no_tr,
		       coalesce(payout_provider, '') AS provider, coalesce(provider_transfer_id, '') AS ptid,
		       coalesce(stripe_transfer_id, '') AS stid, stripe_refund_id IS NULL AS no_re
		FROM escrows
		WHERE state <> 'PENDING' AND (
		     (state = 'RELEASED' AND (stripe_transfer_id IS NULL
		          OR (payout_provider = 'STRIPE' AND provider_transfer_id IS DISTINCT FROM stripe_transfer_id)
		          OR ($1 AND payout_provider IS DISTINCT FROM 'STRIPE')))
		  OR (state = 'REFUNDED' AND stripe_refund_id IS NULL)
		  OR (stripe_payment_intent_id IS NULL AND coalesce(payout_provider, '') <> 'LOCAL_CERTIFICATION_TEST')))
		SELECT * FROM d LIMIT $2`, p.Production, sampleLimit)
	if err != nil {
		return nil, fmt.Errorf("escrow invariants: %w", err)
	}
	for rows.Next() {
		var id, state, provider, ptid, stid string
		var noPI, noTR, noRE bool
		if err := rows.Scan(&id, &state, &noPI, &noTR, &provider, &ptid, &stid, &noRE); err != nil {
			rows.Close()
			return nil, err
		}
		if state == "RELEASED" && noTR && provider != "MANUAL_RECONCILIATION" && provider != "LOCAL_CERTIFICATION_TEST" {
			out = append(out, Mismatch{DriftReleasedNoTransfer, id, "RELEASED with stripe_transfer_id NULL (payout_provider " + orNone(provider) + ")"})
		}
		if state == "RELEASED" && !noTR && provider == "STRIPE" && ptid != stid {
			out = append(out, Mismatch{DriftReleasedNoTransfer, id, fmt.Sprintf("provider_transfer_id %q ≠ stripe_transfer_id %q", ptid, stid)})
		}
		if state == "RELEASED" && p.Production && provider != "STRIPE" {
			out = append(out, Mismatch{DriftReleasedNotStripe, id, "payout_provider " + orNone(provider) + " in production"})
		}
		if state == "REFUNDED" && noRE {
			out = append(out, Mismatch{DriftRefundedNoRefund, id, "REFUNDED with stripe_refund_id NULL"})
		}
		if noPI && provider != "LOCAL_CERTIFICATION_TEST" {
			out = append(out, Mismatch{DriftNoPaymentIntent, id, state + " with stripe_payment_intent_id NULL"})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("escrow invariants: %w", err)
	}
	return out, nil
}

// taskEscrowDisagreement: task and escrow states that contradict each other
// (contract §12.2).
func taskEscrowDisagreement(ctx context.Context, tx pgx.Tx, p DriftParams) ([]Mismatch, error) {
	var out []Mismatch
	type joined struct {
		kind, sql string
		args      []any
		detail    func(tstate string) string
	}
	for _, j := range []joined{
		{DriftReleasedTaskNotCompleted, `WITH d AS MATERIALIZED (
			SELECT e.id::text, t.state FROM escrows e JOIN tasks t ON t.id = e.task_id
			WHERE e.state = 'RELEASED' AND t.state <> 'COMPLETED')
			SELECT * FROM d LIMIT $1`, []any{sampleLimit},
			func(ts string) string { return "escrow RELEASED, task " + ts }},
		{DriftFundedStale, `WITH d AS MATERIALIZED (
			SELECT e.id::text, t.state FROM escrows e JOIN tasks t ON t.id = e.task_id
			WHERE e.state = 'FUNDED' AND t.state IN ('COMPLETED','CANCELLED','EXPIRED')
			  AND coalesce(t.payout_ready_at, t.completed_at, t.updated_at) < now() - $2::interval)
			SELECT * FROM d LIMIT $1`, []any{sampleLimit, p.FundedMaxAge.String()},
			func(ts string) string {
				return fmt.Sprintf("still FUNDED, task %s for more than %s", ts, p.FundedMaxAge)
			}},
	} {
		rows, err := tx.Query(ctx, j.sql, j.args...)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", j.kind, err)
		}
		for rows.Next() {
			var id, ts string
			if err := rows.Scan(&id, &ts); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, Mismatch{j.kind, id, j.detail(ts)})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", j.kind, err)
		}
	}
	return out, nil
}

// stripeEventBacklog: Stripe webhook events that failed or are stuck in processing.
func stripeEventBacklog(ctx context.Context, tx pgx.Tx, p DriftParams) ([]Mismatch, error) {
	var out []Mismatch
	rows, err := tx.Query(ctx, `
		SELECT stripe_event_id, type, result, coalesce(error_message, ''),
		       (result = 'processing' AND processed_at IS NULL AND claimed_at < now() - $1::interval)
		FROM stripe_events
		WHERE result = 'failed' OR (result = 'processing' AND processed_at IS NULL AND claimed_at < now() - $1::interval)
		LIMIT $2`, p.StuckAfter.String(), sampleLimit)
	if err != nil {
		return nil, fmt.Errorf("stripe_events backlog: %w", err)
	}
	for rows.Next() {
		var id, typ, result, msg string
		var stuck bool
		if err := rows.Scan(&id, &typ, &result, &msg, &stuck); err != nil {
			rows.Close()
			return nil, err
		}
		if stuck {
			out = append(out, Mismatch{DriftStripeEventStuck, id, typ + " processing for more than " + p.StuckAfter.String()})
		} else {
			out = append(out, Mismatch{DriftStripeEventFailed, id, typ + " failed: " + oneLine(msg, 80)})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stripe_events backlog: %w", err)
	}
	return out, nil
}

// outboxBacklog: outbox events pending or failed for longer than allowed.
func outboxBacklog(ctx context.Context, tx pgx.Tx, p DriftParams) ([]Mismatch, error) {
	var out []Mismatch
	rows, err := tx.Query(ctx, `
		SELECT id::text, event_type, status, queue_name, now() - created_at
		FROM outbox_events
		WHERE status IN ('pending','failed') AND created_at < now() - $1::interval
		ORDER BY created_at LIMIT $2`, p.OutboxMaxAge.String(), sampleLimit)
	if err != nil {
		return nil, fmt.Errorf("outbox backlog: %w", err)
	}
	for rows.Next() {
		var id, typ, status, queue string
		var age time.Duration
		if err := rows.Scan(&id, &typ, &status, &queue, &age); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, Mismatch{DriftOutboxBacklog, id, fmt.Sprintf("%s %s on %s for %s", typ, status, queue, age.Round(time.Second))})
	}
	rows.Close()
	return out, rows.Err()
}

func orNone(s string) string {
	if s == "" {
		return "NULL"
	}
	return s
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// windowEscrow is an escrow the reconciliation looks at.
type windowEscrow struct {
	id, taskID, state, provider string
	amount                      int64
	pi, tr, re                  string
	fundedAt, releasedAt        *time.Time
	refundedAt                  *time.Time
	createdAt                   time.Time
}

// StripeSide is what the reconciliation listed from Stripe.
type StripeSide struct {
	PIs       map[string]*stripe.PaymentIntent
	Transfers map[string]*stripe.Transfer
	Refunds   map[string]*stripe.Refund
	Calls     int64
}

// ListStripe lists PaymentIntents, transfers and refunds created since
// `from`, 100 per call, with no per-object GETs.
func ListStripe(ctx context.Context, sc *stripeapi.API, counter *stripeapi.Counter, from time.Time, max int) (*StripeSide, error) {
	s := &StripeSide{PIs: map[string]*stripe.PaymentIntent{}, Transfers: map[string]*stripe.Transfer{}, Refunds: map[string]*stripe.Refund{}}
	rng := &stripe.RangeQueryParams{GreaterThanOrEqual: from.Unix()}
	before := counter.Calls()

	pl := &stripe.PaymentIntentListParams{CreatedRange: rng}
	pl.Limit, pl.Context = stripe.Int64(stripeapi.PageSize), ctx
	if _, capped, err := stripeapi.Drain(ctx, sc.PaymentIntents.List(pl).Iter, max, func(v any) {
		pi := v.(*stripe.PaymentIntent)
		s.PIs[pi.ID] = pi
	}); err != nil {
		return nil, fmt.Errorf("list PaymentIntents created since %s: %s", from.Format(time.RFC3339), stripeapi.Describe(err))
	} else if capped {
		return nil, fmt.Errorf("more than %d PaymentIntents since %s (HUSTLEXP_DRIFT_MAX_STRIPE_OBJECTS)", max, from.Format(time.RFC3339))
	}

	tl := &stripe.TransferListParams{CreatedRange: rng}
	tl.Limit, tl.Context = stripe.Int64(stripeapi.PageSize), ctx
	if _, capped, err := stripeapi.Drain(ctx, sc.Transfers.List(tl).Iter, max, func(v any) {
		tr := v.(*stripe.Transfer)
		s.Transfers[tr.ID] = tr
	}); err != nil {
		return nil, fmt.Errorf("list transfers created since %s: %s", from.Format(time.RFC3339), stripeapi.Describe(err))
	} else if capped {
		return nil, fmt.Errorf("more than %d transfers since %s (HUSTLEXP_DRIFT_MAX_STRIPE_OBJECTS)", max, from.Format(time.RFC3339))
	}

	rl := &stripe.RefundListParams{CreatedRange: rng}
	rl.Limit, rl.Context = stripe.Int64(stripeapi.PageSize), ctx
	if _, capped, err := stripeapi.Drain(ctx, sc.Refunds.List(rl).Iter, max, func(v any) {
		rf := v.(*stripe.Refund)
		s.Refunds[rf.ID] = rf
	}); err != nil {
		return nil, fmt.Errorf("list refunds created since %s: %s", from.Format(time.RFC3339), stripeapi.Describe(err))
	} else if capped {
		return nil, fmt.Errorf("more than %d refunds since %s (HUSTLEXP_DRIFT_MAX_STRIPE_OBJECTS)", max, from.Format(time.RFC3339))
	}
	s.Calls = counter.Calls() - before
	return s, nil
}

// WindowEscrows reads the escrows the reconciliation judges: those funded,
// released or refunded since p.Since, PENDING ones created since the listing
// start, and every escrow a listed Stripe object points at.
func WindowEscrows(ctx context.Context, tx pgx.Tx, p DriftParams, s *StripeSide) (map[string]*windowEscrow, error) {
	var ids, tasks []string
	for _, tr := range s.Transfers {
		if id := tr.Metadata["escrow_id"]; id != "" {
			ids = append(ids, id)
		}
	}
	for _, pi := range s.PIs {
		if id := pi.Metadata["task_id"]; id != "" && pi.Status == stripe.PaymentIntentStatusSucceeded {
			tasks = append(tasks, id)
		}
	}
	ids, tasks = validUUIDs(ids), validUUIDs(tasks)
	const cols = `id::text, task_id::text, state, amount, coalesce(payout_provider, ''),
		       coalesce(stripe_payment_intent_id, ''), coalesce(stripe_transfer_id, ''), coalesce(stripe_refund_id, ''),
		       funded_at, released_at, refunded_at, created_at`
	rows, err := tx.Query(ctx, `
		SELECT `+cols+` FROM escrows
		WHERE funded_at >= $1 OR released_at >= $1 OR refunded_at >= $1 OR (state = 'PENDING' AND created_at >= $2)
		UNION
		SELECT `+cols+` FROM escrows WHERE id = ANY($3::uuid[])
		UNION
		SELECT `+cols+` FROM escrows WHERE task_id = ANY($4::uuid[])`,
		p.Since, p.Since.Add(-p.Lookback), ids, tasks)
	if err != nil {
		return nil, fmt.Errorf("escrows in the window: %w", err)
	}
	defer rows.Close()
	out := map[string]*windowEscrow{}
	for rows.Next() {
		e := &windowEscrow{}
		if err := rows.Scan(&e.id, &e.taskID, &e.state, &e.amount, &e.provider, &e.pi, &e.tr, &e.re,
			&e.fundedAt, &e.releasedAt, &e.refundedAt, &e.createdAt); err != nil {
			return nil, err
		}
		out[e.id] = e
	}
	return out, rows.Err()
}

// Reconcile matches escrows with Stripe objects by id and metadata.
func Reconcile(p DriftParams, es map[string]*windowEscrow, s *StripeSide, now time.Time) []Mismatch {
	r := reconciler{p: p, es: es, s: s, settled: now.Add(-p.Grace), listedFrom: p.Since.Add(-p.Lookback).Format(time.RFC3339)}
	var out []Mismatch
	for _, id := range sortedKeys(es) {
		out = append(out, r.escrowToStripe(id, es[id])...)
	}
	out = append(out, r.paymentsToDatabase()...)
	return append(out, r.transfersToDatabase()...)
}

// reconciler holds one DAY-2 (b) comparison: the window's escrows and the
// Stripe objects listed for it.
type reconciler struct {
	p          DriftParams
	es         map[string]*windowEscrow
	s          *StripeSide
	settled    time.Time // objects younger than the grace period are not judged
	listedFrom string
}

// in reports whether t falls in the window and is past the grace period.
func (r reconciler) in(t *time.Time) bool {
	return t != nil && !t.Before(r.p.Since) && t.Before(r.settled)
}

// escrowToStripe: the escrow's PaymentIntent, transfer and refund exist in
// Stripe and agree with it.
func (r reconciler) escrowToStripe(id string, e *windowEscrow) []Mismatch {
	var out []Mismatch
	if r.in(e.fundedAt) && e.pi != "" {
		pi, ok := r.s.PIs[e.pi]
		switch {
		case !ok:
			out = append(out, Mismatch{DriftPIMissing, id, fmt.Sprintf("%s escrow's PaymentIntent %s not among PaymentIntents created since %s", e.state, e.pi, r.listedFrom)})
		case pi.Status != stripe.PaymentIntentStatusSucceeded:
			out = append(out, Mismatch{DriftPINotSucceeded, id, fmt.Sprintf("escrow %s but PaymentIntent %s is %s", e.state, e.pi, pi.Status)})
		case pi.AmountReceived != e.amount:
			out = append(out, Mismatch{DriftPIAmount, id, fmt.Sprintf("PaymentIntent %s amount_received %d ≠ escrow amount %d", e.pi, pi.AmountReceived, e.amount)})
		case pi.Metadata["task_id"] != "" && pi.Metadata["task_id"] != e.taskID:
			out = append(out, Mismatch{DriftPITask, id, fmt.Sprintf("PaymentIntent %s metadata.task_id %s ≠ escrow task %s", e.pi, pi.Metadata["task_id"], e.taskID)})
		}
	}
	if r.in(e.releasedAt) && e.state == "RELEASED" && e.tr != "" && (e.provider == "STRIPE" || e.provider == "") {
		tr, ok := r.s.Transfers[e.tr]
		switch {
		case !ok:
			out = append(out, Mismatch{DriftTransferMissing, id, fmt.Sprintf("RELEASED escrow's transfer %s not among transfers created since %s", e.tr, r.listedFrom)})
		case tr.Reversed || tr.AmountReversed > 0:
			out = append(out, Mismatch{DriftTransferReversed, id, fmt.Sprintf("transfer %s reversed (%d of %d cents)", e.tr, tr.AmountReversed, tr.Amount)})
		case tr.Metadata["escrow_id"] != id:
			out = append(out, Mismatch{DriftTransferMetadata, id, fmt.Sprintf("transfer %s metadata.escrow_id %q ≠ escrow id", e.tr, tr.Metadata["escrow_id"])})
		}
	}
	if r.in(e.refundedAt) && e.state == "REFUNDED" && e.re != "" {
		rf, ok := r.s.Refunds[e.re]
		switch {
		case !ok:
			out = append(out, Mismatch{DriftRefundMissing, id, fmt.Sprintf("REFUNDED escrow's refund %s not among refunds created since %s", e.re, r.listedFrom)})
		case rf.Status != stripe.RefundStatusSucceeded:
			out = append(out, Mismatch{DriftRefundNotSucceeded, id, fmt.Sprintf("refund %s is %s", e.re, rf.Status)})
		}
	}
	return out
}

// paymentsToDatabase: a succeeded PaymentIntent whose task's escrow is still PENDING.
func (r reconciler) paymentsToDatabase() []Mismatch {
	byTask := map[string]*windowEscrow{}
	for _, e := range r.es {
		byTask[e.taskID] = e
	}
	var out []Mismatch
	for _, pid := range sortedKeys(r.s.PIs) {
		pi := r.s.PIs[pid]
		e := byTask[pi.Metadata["task_id"]]
		if e == nil || pi.Status != stripe.PaymentIntentStatusSucceeded || e.state != "PENDING" {
			continue
		}
		if time.Unix(pi.Created, 0).Before(r.settled) {
			out = append(out, Mismatch{DriftPendingButPaid, e.id, fmt.Sprintf("escrow PENDING while PaymentIntent %s (metadata.task_id %s) succeeded", pid, e.taskID)})
		}
	}
	return out
}

// transfersToDatabase: a transfer in the window names an escrow the database
// does not have, or one that was not released with it.
func (r reconciler) transfersToDatabase() []Mismatch {
	var out []Mismatch
	for _, tid := range sortedKeys(r.s.Transfers) {
		tr := r.s.Transfers[tid]
		eid := tr.Metadata["escrow_id"]
		if eid == "" || time.Unix(tr.Created, 0).Before(r.p.Since) || !time.Unix(tr.Created, 0).Before(r.settled) || tr.Reversed {
			continue
		}
		e, ok := r.es[eid]
		switch {
		case !ok:
			out = append(out, Mismatch{DriftTransferUnknownEscr, eid, fmt.Sprintf("transfer %s names escrow %s, which the database does not have", tid, eid)})
		case e.state != "RELEASED" && e.state != "REFUND_PARTIAL":
			out = append(out, Mismatch{DriftTransferNoRelease, eid, fmt.Sprintf("transfer %s paid out but escrow is %s", tid, e.state)})
		case e.tr != "" && e.tr != tid:
			out = append(out, Mismatch{DriftTransferMetadata, eid, fmt.Sprintf("transfer %s names this escrow, which records transfer %s", tid, e.tr)})
		}
	}
	return out
}

// GroupMismatches groups findings by kind, kinds sorted.
func GroupMismatches(ms []Mismatch) (kinds []string, by map[string][]Mismatch) {
	by = map[string][]Mismatch{}
	for _, m := range ms {
		if _, ok := by[m.Kind]; !ok {
			kinds = append(kinds, m.Kind)
		}
		by[m.Kind] = append(by[m.Kind], m)
	}
	sort.Strings(kinds)
	return kinds, by
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// validUUIDs keeps the strings that are UUIDs (metadata may hold anything).
func validUUIDs(in []string) []string {
	out := in[:0:0]
	for _, s := range in {
		if uuidRE.MatchString(s) {
			out = append(out, s)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
