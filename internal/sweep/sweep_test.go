//go:build !prelaunch && !t0 && !day1 && !week1

package sweep_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"

	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/stripex"
	"github.com/hustlexp/launchcheck/internal/sweep"
)

func TestMain(m *testing.M) { harness.Main(m) }

// TestSweepDatabase: tagged rows older than the cutoff go (with their
// dependants); recent tagged rows and untagged rows stay.
func TestSweepDatabase(t *testing.T) {
	w, _ := harness.World(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dsn, drop, err := w.CloneDB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	const old, recent = "launchcheck-20250101000000-aaaaaa", "launchcheck-20991231000000-bbbbbb"
	_, err = conn.Exec(ctx, `
		WITH u AS (INSERT INTO users(email, full_name, created_at) VALUES ($1||'-poster@example.test', 'sweep test', now() - interval '48 hours') RETURNING id),
		     t AS (INSERT INTO tasks(poster_id, title, description, price, created_at) SELECT id, $1||' task', 'left behind by a crashed run', 5000, now() - interval '48 hours' FROM u RETURNING id)
		INSERT INTO escrows(task_id, amount) SELECT id, 5000 FROM t;
		`, old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO users(email, full_name) VALUES ($1||'-poster@example.test', 'running now'), ('alice@example.com', 'a real user')`, recent); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO stripe_events(stripe_event_id, type, created_at) VALUES ('evt_'||$1||'_x', 'payment_intent.succeeded', now() - interval '48 hours')`, old); err != nil {
		t.Fatal(err)
	}

	found := sweep.Find(ctx, sweep.Options{DSN: dsn, MinAge: 24 * time.Hour})
	if len(found.Problems) > 0 {
		t.Fatalf("find: %v", found.Problems)
	}
	for table, want := range map[string]int{"users": 1, "tasks": 1, "escrows": 1, "stripe_events": 1} {
		if found.Rows[table] != want {
			t.Errorf("found %s=%d, want %d (%s)", table, found.Rows[table], want, found)
		}
	}
	res := sweep.Run(ctx, sweep.Options{DSN: dsn, MinAge: 24 * time.Hour})
	if len(res.Problems) > 0 {
		t.Fatalf("sweep: %v", res.Problems)
	}
	if after := sweep.Find(ctx, sweep.Options{DSN: dsn, MinAge: 24 * time.Hour}); after.Total() != 0 {
		t.Errorf("after the sweep still found %s", after)
	}
	var n int
	conn.QueryRow(ctx, `SELECT count(*) FROM users WHERE email IN ($1||'-poster@example.test', 'alice@example.com')`, recent).Scan(&n)
	if n != 2 {
		t.Errorf("the sweep removed a recent or untagged user: %d of 2 left", n)
	}
}

// TestSweepStripe: a tagged PaymentIntent is cancelled, an untagged one is not.
func TestSweepStripe(t *testing.T) {
	_, env := harness.World(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sc := stripex.New(env.Cfg)
	tag := env.Tag() + "-sweeptest"
	mk := func(md map[string]string) *stripe.PaymentIntent {
		p := &stripe.PaymentIntentParams{Amount: stripe.Int64(1500), Currency: stripe.String("usd")}
		p.Context = ctx
		for k, v := range md {
			p.AddMetadata(k, v)
		}
		pi, err := sc.PaymentIntents.New(p)
		if err != nil {
			t.Fatalf("create PaymentIntent: %s", stripex.Describe(err))
		}
		return pi
	}
	tagged := mk(map[string]string{"launchcheck": tag})
	other := mk(map[string]string{"task_id": "real-task"})
	o := sweep.Options{Stripe: env.Cfg, Tag: tag}
	if f := sweep.Find(ctx, o); f.Stripe["payment_intents"] != 1 || len(f.Problems) > 0 {
		t.Fatalf("find: %s %v", f, f.Problems)
	}
	if r := sweep.Run(ctx, o); len(r.Problems) > 0 {
		t.Fatalf("sweep: %v", r.Problems)
	}
	get := func(id string) stripe.PaymentIntentStatus {
		p := &stripe.PaymentIntentParams{}
		p.Context = ctx
		pi, err := sc.PaymentIntents.Get(id, p)
		if err != nil {
			t.Fatalf("get %s: %s", id, stripex.Describe(err))
		}
		return pi.Status
	}
	if s := get(tagged.ID); s != stripe.PaymentIntentStatusCanceled {
		t.Errorf("tagged PaymentIntent is %s after the sweep, want canceled", s)
	}
	if s := get(other.ID); s == stripe.PaymentIntentStatusCanceled {
		t.Error("the sweep cancelled an untagged PaymentIntent")
	}
	if f := sweep.Find(ctx, o); f.Stripe["payment_intents"] != 0 {
		t.Errorf("residue after the sweep: %s", f)
	}
}
