package smoke

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/hxapi"
	"github.com/hustlexp/launchcheck/internal/pg"
	"github.com/hustlexp/launchcheck/internal/target"
)

// WebhookAPIVersion is the API version of the events the backend's
// endpoints receive (contract §11.1).
const WebhookAPIVersion = "2025-11-17.clover"

// TestEvent returns a platform payment_intent.succeeded event tagged with
// the run: its PaymentIntent matches no escrow, so processing it has no
// effect beyond its stripe_events/outbox_events rows (§11.5).
func TestEvent(env *target.Env) (id string, payload []byte) {
	b := make([]byte, 6)
	rand.Read(b)
	suffix := hex.EncodeToString(b)
	id = "evt_" + env.Tag() + "_" + suffix
	ev := map[string]any{
		"id": id, "object": "event", "api_version": WebhookAPIVersion, "created": time.Now().Unix(),
		"livemode": false, "pending_webhooks": 1, "type": "payment_intent.succeeded",
		"request": map[string]any{"id": nil, "idempotency_key": nil},
		"data": map[string]any{"object": map[string]any{
			"id": "pi_" + env.Tag() + "_" + suffix, "object": "payment_intent", "amount": 1500, "currency": "usd",
			"status": "succeeded", "metadata": map[string]string{"launchcheck": env.Tag()},
		}},
	}
	payload, _ = json.Marshal(ev)
	return id, payload
}

// postWebhook signs payload with secret (stripe-go's test signer) and POSTs it.
func postWebhook(ctx context.Context, c *hxapi.Client, payload []byte, secret string) (*hxapi.Response, error) {
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret})
	return c.Do(ctx, hxapi.Request{Method: http.MethodPost, Path: "/webhooks/stripe", Body: payload,
		Header: http.Header{"Content-Type": {"application/json"}, "Stripe-Signature": {sp.Header}}})
}

type eventRow struct {
	found       bool
	typ         string
	result      *string
	processedAt *time.Time
	errMsg      *string
}

func (r eventRow) String() string {
	if !r.found {
		return "no stripe_events row"
	}
	res, pa, em := "NULL", "NULL", ""
	if r.result != nil {
		res = *r.result
	}
	if r.processedAt != nil {
		pa = r.processedAt.UTC().Format(time.RFC3339)
	}
	if r.errMsg != nil && *r.errMsg != "" {
		em = " error_message=" + hxapi.Excerpt([]byte(*r.errMsg), 120)
	}
	return fmt.Sprintf("type=%s result=%s processed_at=%s%s", r.typ, res, pa, em)
}

// readEvent reads the §11.6 observations of one event, read-only.
func readEvent(ctx context.Context, env *target.Env, id string) (row eventRow, outbox int, err error) {
	err = pg.Query(ctx, env.Cfg.Get(config.DatabaseURL), env.Cfg.Duration(config.StatementTimeout), func(tx pgx.Tx) error {
		e := tx.QueryRow(ctx, `SELECT type, result, processed_at, error_message FROM stripe_events WHERE stripe_event_id = $1`, id).
			Scan(&row.typ, &row.result, &row.processedAt, &row.errMsg)
		switch {
		case errors.Is(e, pgx.ErrNoRows):
		case e != nil:
			return fmt.Errorf("read stripe_events: %w", e)
		default:
			row.found = true
		}
		// by key, and by payload too: an outbox row written without its
		// idempotency key is exactly the duplicate a replay must not create
		if e := tx.QueryRow(ctx, `SELECT count(*) FROM outbox_events
			WHERE idempotency_key = 'stripe.event_received:' || $1 OR payload->>'stripeEventId' = $1`, id).Scan(&outbox); e != nil {
			return fmt.Errorf("read outbox_events: %w", e)
		}
		return nil
	})
	return row, outbox, err
}

// StripeWebhookProcesses checks SMK-5: Stripe test webhook fires and processes correctly.
// A platform event signed with STRIPE_WEBHOOK_SECRET must be accepted (200
// with its id), reach result success/skipped with processed_at, leave one
// outbox row even after a replay, and a badly signed copy must get 400.
func StripeWebhookProcesses(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.BaseURL, config.StripeWebhookSecret, config.DatabaseURL)
	ctx := check.Ctx(t, env.Cfg)
	c := hxapi.New(env)
	secret := env.Cfg.Get(config.StripeWebhookSecret)
	id, payload := TestEvent(env)
	check.Evidence(t, "event", id+" payment_intent.succeeded (no matching escrow: no side effect)")
	if env.Cfg.Live() {
		// the check reads the database read-only: the backend's own rows for
		// this event stay, named by the run tag so a sweep can find them
		check.Evidence(t, "left_behind", "stripe_events/outbox_events rows of "+id+" (read-only access; the id carries "+env.Tag()+")")
	}
	deliverSigned(t, ctx, c, id, payload, secret)
	outbox := awaitProcessed(t, ctx, env, id)
	replayOnce(t, ctx, c, env, id, payload, secret, outbox)
	badSignatureRefused(t, ctx, c, payload, secret)
}

// deliverSigned posts the event signed with the deployment's secret: it
// must be acknowledged with 200 {received:true, eventId}.
func deliverSigned(t check.T, ctx context.Context, c *hxapi.Client, id string, payload []byte, secret string) {
	t.Helper()
	r, err := postWebhook(ctx, c, payload, secret)
	if err != nil {
		t.Fatalf("SMK-5: %v", err)
	}
	if r.Status != http.StatusOK {
		t.Fatalf("POST /webhooks/stripe (signed with %s) = %d, want 200: %s", config.StripeWebhookSecret, r.Status, r.Excerpt())
	}
	ack, err := hxapi.DecodeWebhookAnswer(r)
	if err != nil {
		t.Fatalf("SMK-5 acknowledgement: %v", err)
	}
	if ack.EventID != id || !ack.Received {
		t.Fatalf("POST /webhooks/stripe = 200 with %s, want received:true and eventId %s (%s; %s)", r.Excerpt(), id, ack.Why("received"), ack.Why("eventId"))
	}
}

// awaitProcessed polls stripe_events until the event has result
// success/skipped with processed_at (HUSTLEXP_WEBHOOK_DEADLINE) and returns
// its outbox row count then.
func awaitProcessed(t check.T, ctx context.Context, env *target.Env, id string) (outbox int) {
	t.Helper()
	var row eventRow
	err := check.Poll(ctx, env.Cfg.Duration(config.WebhookDeadline), func(ctx context.Context) error {
		var err error
		row, outbox, err = readEvent(ctx, env, id)
		if err != nil {
			return check.Permanent(err)
		}
		if row.found && row.result != nil && (*row.result == "success" || *row.result == "skipped") && row.processedAt != nil {
			return nil
		}
		return fmt.Errorf("stripe_events %s: %s", id, row)
	})
	check.Evidence(t, "stripe_events", row.String())
	if err != nil {
		t.Errorf("event %s not processed within %s (%s): %v; want result success/skipped with processed_at (is the worker process running, with Redis?)",
			id, env.Cfg.Duration(config.WebhookDeadline), config.WebhookDeadline, err)
	}
	return outbox
}

// replayOnce posts the same signed event again: acknowledged with 200, and
// still exactly one outbox row (ingest is idempotent).
func replayOnce(t check.T, ctx context.Context, c *hxapi.Client, env *target.Env, id string, payload []byte, secret string, outbox int) {
	t.Helper()
	r2, err := postWebhook(ctx, c, payload, secret)
	if err != nil {
		t.Fatalf("SMK-5 replay: %v", err)
	}
	_, after, err := readEvent(ctx, env, id)
	if err != nil {
		t.Fatalf("SMK-5 after the replay: %v", err)
	}
	check.Evidence(t, "outbox_rows", fmt.Sprintf("%d after delivery, %d after replay (replay answered %d)", outbox, after, r2.Status))
	if r2.Status != http.StatusOK {
		t.Errorf("replayed POST /webhooks/stripe = %d, want 200 (a replay is acknowledged): %s", r2.Status, r2.Excerpt())
	}
	if after != 1 {
		t.Errorf("outbox_events rows for %s = %d after a replay, want 1: ingest is not idempotent (idempotency_key 'stripe.event_received:<id>' with ON CONFLICT DO NOTHING)", id, after)
	}
}

// badSignatureRefused posts the event signed with another secret: 400.
func badSignatureRefused(t check.T, ctx context.Context, c *hxapi.Client, payload []byte, secret string) {
	t.Helper()
	bad, err := postWebhook(ctx, c, payload, secret+"-launchcheck-wrong")
	if err != nil {
		t.Fatalf("SMK-5 bad signature: %v", err)
	}
	check.Evidence(t, "bad_signature", fmt.Sprintf("%d %s", bad.Status, bad.Excerpt()))
	if bad.Status != http.StatusBadRequest {
		t.Errorf("POST /webhooks/stripe with a bad stripe-signature = %d, want 400: the webhook signature is not checked", bad.Status)
	}
}

func mkTemp() (string, error) { return os.MkdirTemp("", "launchcheck-smk-") }
func removeAll(dir string)    { os.RemoveAll(dir) }
