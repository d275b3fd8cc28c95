//go:build !prelaunch && !t0 && !day1 && !week1

package postlaunch_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hustlexp/launchcheck/fixtures/fakes/stripefake"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/datagen"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/internal/world"
)

const selfKey = "sk_test_postlaunch_selftest"

// ledger is a private rehearsal data set: a clone of the pristine schema
// seeded with consistent escrows and a private Stripe fake holding the
// matching objects. Faults are injected into it, never into the shared world.
type ledger struct {
	env    *target.Env
	conn   *pgx.Conn // superuser on the clone
	dsn    string    // superuser DSN of the clone
	fake   *stripefake.Fake
	seeded *datagen.Seeded
}

func newLedger(t *testing.T, perState int) *ledger {
	t.Helper()
	_, env := harness.World(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dsn, conn := harness.CloneDB(t)
	f := stripefake.Run(t, func(o *stripefake.Options) { o.SecretKey = selfKey })
	s, err := datagen.Seed(ctx, conn, f, perState)
	if err != nil {
		t.Fatal(err)
	}
	return &ledger{
		env: env.MustWith(map[string]string{
			config.DatabaseURL:     world.ReadOnly(dsn),
			config.StripeAPIBase:   f.URL,
			config.StripeSecretKey: selfKey,
		}),
		conn: conn, dsn: dsn, fake: f, seeded: s,
	}
}

func (l *ledger) fault(t *testing.T, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := datagen.Fault(ctx, l.conn, sql); err != nil {
		t.Fatal(err)
	}
}

// redisDB returns the world's Redis URL pointed at another logical database,
// so self-tests that write keys never touch the shared one.
func redisDB(t *testing.T, w *harness.Rehearsal, db string) string {
	t.Helper()
	u, err := url.Parse(w.RedisURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + db
	return u.String()
}
