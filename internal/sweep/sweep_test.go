//go:build !prelaunch && !t0 && !day1 && !week1

package sweep_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stripe/stripe-go/v76"

	"github.com/hustlexp/launchcheck/internal/firebaseauth"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/stripeapi"
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
	if _, err := conn.Exec(ctx, `INSERT INTO stripe_events(stripe_event_id, type, created, payload_json, created_at) VALUES ('evt_'||$1||'_x', 'payment_intent.succeeded', now() - interval '48 hours', '{}', now() - interval '48 hours')`, old); err != nil {
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
	sc := stripeapi.New(env.Cfg)
	tag := env.Tag() + "-sweeptest"
	mk := func(md map[string]string) *stripe.PaymentIntent {
		p := &stripe.PaymentIntentParams{Amount: stripe.Int64(1500), Currency: stripe.String("usd")}
		p.Context = ctx
		for k, v := range md {
			p.AddMetadata(k, v)
		}
		pi, err := sc.PaymentIntents.New(p)
		if err != nil {
			t.Fatalf("create PaymentIntent: %s", stripeapi.Describe(err))
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
			t.Fatalf("get %s: %s", id, stripeapi.Describe(err))
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

// TestSweepRealSchema: the real backend's shapes (captures 44, which the
// rehearsal schema now has):
// outbox_events.aggregate_id is uuid (coalesce(aggregate_id,”) aborted the
// old sweep), task_applications has hustler_id, task_matching_scores (not
// matching_scores), plus a table the sweeper does not know with a foreign key
// to users. A tagged sweep of a finished run (MinAge 0) removes it all at
// once and leaves other rows alone.
func TestSweepRealSchema(t *testing.T) {
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
	_, err = conn.Exec(ctx, `
		CREATE TABLE user_trust_events (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id uuid NOT NULL REFERENCES users(id), created_at timestamptz NOT NULL DEFAULT now());
		CREATE TABLE trust_event_notes (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), event_id uuid NOT NULL REFERENCES user_trust_events(id), user_id uuid REFERENCES users(id));`)
	if err != nil {
		t.Fatal(err)
	}
	const tag = "launchcheck-20261130010203-cafe01"
	_, err = conn.Exec(ctx, `
		WITH p AS (INSERT INTO users(email, full_name) VALUES ($1||'-poster@example.test', 'Launchcheck poster') RETURNING id),
		     h AS (INSERT INTO users(email, full_name) VALUES ($1||'-hustler@example.test', 'Launchcheck hustler') RETURNING id),
		     t AS (INSERT INTO tasks(poster_id, title, description, price) SELECT id, $1||' task', 'run task', 5000 FROM p RETURNING id),
		     a AS (INSERT INTO task_applications(task_id, hustler_id) SELECT t.id, h.id FROM t, h RETURNING id),
		     m AS (INSERT INTO task_matching_scores(task_id, hustler_id, matching_score, relevance_score, distance_miles, expires_at)
		           SELECT t.id, h.id, 0.9, 0.8, 1.5, now() + interval '1 day' FROM t, h RETURNING id),
		     e AS (INSERT INTO user_trust_events(user_id) SELECT id FROM h RETURNING id, user_id),
		     n AS (INSERT INTO trust_event_notes(event_id, user_id) SELECT id, user_id FROM e RETURNING id)
		INSERT INTO outbox_events(event_type, aggregate_type, aggregate_id, idempotency_key, queue_name, payload)
		SELECT 'task.created', 'task', t.id, 'task.created:'||t.id, 'user_notifications', '{}'::jsonb FROM t`, tag)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO users(email, full_name) VALUES ('bob@example.com', 'a real user')`); err != nil {
		t.Fatal(err)
	}
	o := sweep.Options{DSN: dsn, Tag: tag}
	found := sweep.Find(ctx, o)
	if len(found.Problems) > 0 {
		t.Fatalf("find on the real schema: %v", found.Problems)
	}
	for table, want := range map[string]int{"users": 2, "tasks": 1, "task_applications": 1, "task_matching_scores": 1, "outbox_events": 1, "user_trust_events": 1, "trust_event_notes": 1} {
		if found.Rows[table] != want {
			t.Errorf("found %s=%d, want %d (%s)", table, found.Rows[table], want, found)
		}
	}
	if res := sweep.Run(ctx, o); len(res.Problems) > 0 {
		t.Fatalf("sweep on the real schema: %v", res.Problems)
	}
	if after := sweep.Find(ctx, o); after.Total() != 0 {
		t.Errorf("after the tagged sweep still found %s", after)
	}
	var n int
	conn.QueryRow(ctx, `SELECT count(*) FROM users WHERE email = 'bob@example.com'`).Scan(&n)
	if n != 1 {
		t.Error("the sweep removed an untagged user")
	}
}

// TestSweepFirebase: Firebase test users of a run are removed (by tagged
// email, and by the firebase_uid of the swept database users); others stay.
func TestSweepFirebase(t *testing.T) {
	w, env := harness.World(t)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	fc, err := firebaseauth.New(env.Cfg)
	if err != nil {
		t.Skipf("rehearsal has no Firebase: %v", err)
	}
	if err := fc.WaitEmulator(ctx, 90*time.Second); err != nil {
		t.Fatal(err)
	}
	tag := env.Tag() + "-fbsweep"
	mine, err := fc.SignUp(ctx, tag+"-poster@example.test", firebaseauth.NewPassword())
	if err != nil {
		t.Fatal(err)
	}
	viaDB, err := fc.SignUp(ctx, "renamed-"+env.RunID+"@example.test", firebaseauth.NewPassword())
	if err != nil {
		t.Fatal(err)
	}
	other, err := fc.SignUp(ctx, "someone-"+env.RunID+"@example.test", firebaseauth.NewPassword())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fc.Delete(context.Background(), other.UID) })
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
	if _, err := conn.Exec(ctx, `INSERT INTO users(email, full_name, firebase_uid) VALUES ($1||'-hustler@example.test', 'x', $2)`, tag, viaDB.UID); err != nil {
		t.Fatal(err)
	}
	o := sweep.Options{DSN: dsn, Firebase: env.Cfg, Tag: tag}
	if f := sweep.Find(ctx, o); f.Firebase["users"] != 2 || len(f.Problems) > 0 {
		t.Fatalf("find: %s %v", f, f.Problems)
	}
	if r := sweep.Run(ctx, o); len(r.Problems) > 0 {
		t.Fatalf("sweep: %v", r.Problems)
	}
	if _, err := fc.SignIn(ctx, mine.Email, mine.Password); err == nil {
		t.Error("the tagged Firebase user still signs in after the sweep")
	}
	if _, err := fc.SignIn(ctx, viaDB.Email, viaDB.Password); err == nil {
		t.Error("the Firebase account of a swept database user still signs in")
	}
	if _, err := fc.SignIn(ctx, other.Email, other.Password); err != nil {
		t.Errorf("the sweep removed an untagged Firebase user: %v", err)
	}
}
