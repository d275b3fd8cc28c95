// Package datagen fills a CLONED rehearsal database (world.CloneDB, never the
// shared main database) with consistent HustleXP data, and the Stripe fake
// with the matching PaymentIntents, transfers and refunds:
//
//   - Seed: a small healthy data set with escrows in every state, for
//     self-tests that then inject one fault each;
//   - Bulk: production-sized data (e.g. 1M escrows, 200k users) generated
//     inside Postgres with generate_series, for benchmarks.
//
// Rows are INSERTed in their final state, so the BEFORE UPDATE invariant
// triggers do not fire; Fault runs SQL with triggers off
// (session_replication_role = replica) to create states the triggers forbid.
package datagen

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hustlexp/launchcheck/fixtures/fakes/stripefake"
)

// Escrow is one seeded escrow and its Stripe ids.
type Escrow struct {
	ID, TaskID, WorkerID  string
	State                 string
	Amount                int64
	PI, Transfer, Refund  string
	FundedAt, ReleasedAt  time.Time
	RefundedAt, CreatedAt time.Time
}

// Seeded is what Seed created, by escrow state.
type Seeded struct {
	ByState map[string][]Escrow
	Workers []string
}

// First returns the first seeded escrow in state.
func (s *Seeded) First(state string) Escrow {
	if es := s.ByState[state]; len(es) > 0 {
		return es[0]
	}
	panic("datagen: no seeded escrow in state " + state)
}

// UUID is a deterministic UUID from a label (md5, formatted as a UUID).
func UUID(label string) string {
	h := md5.Sum([]byte(label))
	x := hex.EncodeToString(h[:])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// Seed inserts per state n escrows (PENDING, FUNDED, RELEASED, REFUNDED), each
// with its own task, poster and worker, at times inside the last 24 h, plus
// one older released escrow (three days ago); processed stripe_events and
// outbox rows; and the matching Stripe objects in f. Everything is
// consistent: DAY-2 finds no drift.
func Seed(ctx context.Context, conn *pgx.Conn, f *stripefake.Fake, n int) (*Seeded, error) {
	now := time.Now().UTC().Truncate(time.Second)
	out := &Seeded{ByState: map[string][]Escrow{}}
	var stmts []string
	add := func(format string, args ...any) { stmts = append(stmts, fmt.Sprintf(format, args...)) }
	i := 0
	mk := func(state string, base time.Time) {
		i++
		label := fmt.Sprintf("seed-%s-%d", state, i)
		e := Escrow{ID: UUID(label + "-escrow"), TaskID: UUID(label + "-task"), WorkerID: UUID(label + "-worker"),
			State: state, Amount: int64(5000 + 100*i), CreatedAt: base.Add(-3 * time.Hour)}
		poster := UUID(label + "-poster")
		add(`INSERT INTO users(id, email, full_name, default_mode) VALUES ('%s', '%s@seed.test', 'Poster %d', 'poster')`, poster, label+"-p", i)
		add(`INSERT INTO users(id, email, full_name, stripe_connect_id, payouts_enabled) VALUES ('%s', '%s@seed.test', 'Worker %d', 'acct_%s', true)`,
			e.WorkerID, label+"-w", i, strings.ReplaceAll(e.WorkerID[:8], "-", ""))
		out.Workers = append(out.Workers, e.WorkerID)
		taskState, completed := "ACCEPTED", "NULL"
		pi := &stripefake.PaymentIntent{Amount: e.Amount, Metadata: map[string]string{"task_id": e.TaskID, "poster_id": poster},
			Created: e.CreatedAt.Add(time.Minute).Unix(), Status: "requires_payment_method"}
		switch state {
		case "PENDING":
			taskState = "OPEN"
		case "FUNDED":
			e.FundedAt = base.Add(-2 * time.Hour)
		case "RELEASED":
			e.FundedAt, e.ReleasedAt = base.Add(-2*time.Hour), base.Add(-time.Hour)
			taskState, completed = "COMPLETED", fmt.Sprintf("'%s'", base.Add(-90*time.Minute).Format(time.RFC3339))
		case "REFUNDED":
			e.FundedAt, e.RefundedAt = base.Add(-2*time.Hour), base.Add(-time.Hour)
			taskState = "CANCELLED"
		}
		if !e.FundedAt.IsZero() {
			pi.Status, pi.AmountReceived = "succeeded", e.Amount
		}
		if err := f.Seed(pi); err != nil {
			panic(err)
		}
		if !e.FundedAt.IsZero() {
			e.PI = pi.ID
		}
		worker := fmt.Sprintf("'%s'", e.WorkerID)
		if state == "PENDING" {
			worker = "NULL"
		}
		add(`INSERT INTO tasks(id, poster_id, worker_id, state, title, description, price, category, completed_at, payout_ready_at, created_at)
			VALUES ('%s', '%s', %s, '%s', 'Seed task %d', 'seeded', %d, 'yard', %s, %s, '%s')`,
			e.TaskID, poster, worker, taskState, i, e.Amount, completed, completed, e.CreatedAt.Format(time.RFC3339))
		cols := []string{"id", "task_id", "amount", "state", "platform_fee_cents", "created_at"}
		vals := []string{q(e.ID), q(e.TaskID), fmt.Sprint(e.Amount), q(state), fmt.Sprint(e.Amount / 5), q(e.CreatedAt.Format(time.RFC3339))}
		if e.PI != "" {
			cols, vals = append(cols, "stripe_payment_intent_id", "funded_at"), append(vals, q(e.PI), q(e.FundedAt.Format(time.RFC3339)))
		}
		if state == "RELEASED" {
			tr := &stripefake.Transfer{Amount: e.Amount * 4 / 5, Destination: "acct_" + strings.ReplaceAll(e.WorkerID[:8], "-", ""),
				Metadata: map[string]string{"escrow_id": e.ID, "task_id": e.TaskID}, Created: e.ReleasedAt.Add(-time.Minute).Unix()}
			if err := f.Seed(tr); err != nil {
				panic(err)
			}
			e.Transfer = tr.ID
			cols = append(cols, "stripe_transfer_id", "provider_transfer_id", "payout_provider", "provider_transfer_status", "released_at", "release_amount")
			vals = append(vals, q(tr.ID), q(tr.ID), q("STRIPE"), q("paid"), q(e.ReleasedAt.Format(time.RFC3339)), fmt.Sprint(tr.Amount))
		}
		if state == "REFUNDED" {
			ch := &stripefake.Charge{Amount: e.Amount, AmountCaptured: e.Amount, AmountRefunded: e.Amount, Refunded: true, Captured: true, Paid: true,
				PaymentIntent: e.PI, Created: e.FundedAt.Unix()}
			if err := f.Seed(ch); err != nil {
				panic(err)
			}
			rf := &stripefake.Refund{Amount: e.Amount, Charge: ch.ID, PaymentIntent: e.PI, Created: e.RefundedAt.Add(-time.Minute).Unix(),
				Metadata: map[string]string{"escrow_id": e.ID}}
			if err := f.Seed(rf); err != nil {
				panic(err)
			}
			e.Refund = rf.ID
			cols, vals = append(cols, "stripe_refund_id", "refunded_at", "refund_amount"), append(vals, q(rf.ID), q(e.RefundedAt.Format(time.RFC3339)), fmt.Sprint(e.Amount))
		}
		add(`INSERT INTO escrows(%s) VALUES (%s)`, strings.Join(cols, ", "), strings.Join(vals, ", "))
		out.ByState[state] = append(out.ByState[state], e)
	}
	for _, st := range []string{"PENDING", "FUNDED", "RELEASED", "REFUNDED"} {
		for k := 0; k < n; k++ {
			mk(st, now)
		}
	}
	mk("RELEASED", now.Add(-72*time.Hour)) // outside the window
	add(`INSERT INTO stripe_events(stripe_event_id, type, created, payload_json, claimed_at, processed_at, result)
		SELECT 'evt_seed_' || g, 'payment_intent.succeeded', now() - interval '1 hour',
		       jsonb_build_object('id', 'evt_seed_' || g, 'object', 'event', 'type', 'payment_intent.succeeded'), now() - interval '59 minutes', now() - interval '59 minutes', 'success'
		FROM generate_series(1, %d) g`, 4*n)
	add(`INSERT INTO outbox_events(event_type, aggregate_type, aggregate_id, idempotency_key, queue_name, status, created_at, processed_at)
		SELECT 'stripe.event_received', 'stripe_event', md5('evt_seed_' || g)::uuid, 'stripe.event_received:evt_seed_' || g, 'critical_payments', 'processed',
		       now() - interval '1 hour', now() - interval '59 minutes'
		FROM generate_series(1, %d) g`, 4*n)
	if _, err := conn.Exec(ctx, strings.Join(stmts, ";\n")); err != nil {
		return nil, fmt.Errorf("datagen seed: %w", err)
	}
	return out, nil
}

func q(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Fault runs sql on the clone with the invariant triggers and foreign keys
// off (session_replication_role = replica), as a corrupting bug or a manual
// edit would leave the data.
func Fault(ctx context.Context, conn *pgx.Conn, sql string) error {
	_, err := conn.Exec(ctx, "SET session_replication_role = replica; "+sql+"; SET session_replication_role = origin")
	if err != nil {
		return fmt.Errorf("datagen fault %q: %w", sql, err)
	}
	return nil
}
