//go:build !prelaunch && !t0 && !day1 && !week1

package postlaunch_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hustlexp/launchcheck/fixtures/fakes/stripefake"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/datagen"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/internal/world"
	"github.com/hustlexp/launchcheck/postlaunch"
)

// Production-sized data for the benchmarks: built once per test binary, only
// when a benchmark runs (go test -bench), in a CLONE of the rehearsal schema.
var (
	bulkOnce sync.Once
	bulkDSN  string
	bulkOpts datagen.BulkOptions
	bulkErr  error
	bulkGen  time.Duration
)

const (
	benchEscrows = 1_000_000
	benchUsers   = 200_000
	benchSpan    = 100 * 24 * time.Hour // 10k escrows a day
)

func bulkDB(b *testing.B) (string, datagen.BulkOptions) {
	b.Helper()
	w, _ := harness.World(b)
	bulkOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer cancel()
		dsn, drop, err := w.CloneDB(ctx)
		if err != nil {
			bulkErr = err
			return
		}
		w.OnClose(drop)
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			bulkErr = err
			return
		}
		defer conn.Close(ctx)
		bulkOpts = datagen.BulkOptions{Users: benchUsers, Escrows: benchEscrows, Span: benchSpan, Now: time.Now().UTC()}
		start := time.Now()
		bulkErr = datagen.Bulk(ctx, conn, bulkOpts)
		bulkGen = time.Since(start)
		bulkDSN = dsn
	})
	if bulkErr != nil {
		b.Fatal(bulkErr)
	}
	b.Logf("bulk data: %d escrows, %d users generated in %s", benchEscrows, benchUsers, bulkGen.Round(time.Millisecond))
	return bulkDSN, bulkOpts
}

func benchEnv(b *testing.B, dsn string, extra map[string]string) *target.Env {
	_, env := harness.World(b)
	kv := map[string]string{config.DatabaseURL: world.ReadOnly(dsn), config.StatementTimeout: "5s", config.CheckTimeout: "10m"}
	for k, v := range extra {
		kv[k] = v
	}
	return env.MustWith(kv)
}

// BenchmarkDAY2Drift1M runs DAY-2 over 1M escrows (10k a day over 100 days)
// with the Stripe objects of the last 51 h in the fake. Goals: SQL ≤ 5 s
// (the statement timeout is 5 s, so a slower query fails the run), Stripe
// list calls ≤ Σ ceil(objects/100).
func BenchmarkDAY2Drift1M(b *testing.B) {
	dsn, o := bulkDB(b)
	f := stripefake.Run(b, func(o *stripefake.Options) { o.SecretKey = selfKey })
	from := time.Now().Add(-48 * time.Hour)
	n, err := datagen.BulkStripe(f, o, from.Add(-time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	env := benchEnv(b, dsn, map[string]string{config.StripeAPIBase: f.URL, config.StripeSecretKey: selfKey})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.ResetCalls()
		start := time.Now()
		r := checktest.Run(b, 10*time.Minute, func(ct check.T) { postlaunch.NoEscrowDrift(ct, env) })
		el := time.Since(start)
		if r.Failed {
			b.Fatalf("DAY-2 on the bulk data: %s\n%s", r.Status(), r.Text())
		}
		calls := f.CallCount("payment_intents.list") + f.CallCount("transfers.list") + f.CallCount("refunds.list")
		escrows := countIn(r.Attrs["evidence.stripe_reconciliation"])
		b.ReportMetric(float64(calls), "stripe-calls")
		b.ReportMetric(float64(calls)/float64(escrows)*1000, "calls/1k-escrows")
		b.ReportMetric(el.Seconds(), "check-s")
		b.Logf("%d Stripe objects seeded; %s; %s; %s; %d list calls; whole check %s", n, r.Attrs["evidence.sql_invariants"],
			r.Attrs["evidence.stripe_reconciliation"], r.Attrs["evidence.timing"], calls, el.Round(time.Millisecond))
	}
}

func countIn(s string) int {
	var n int
	fmt.Sscanf(s, "%d escrows", &n)
	if n == 0 {
		n = 1
	}
	return n
}

// BenchmarkWK3TaxThresholds200k runs WK-3 over 200k users (100k workers)
// and 600k RELEASED escrows of the year. Most bulk workers earn over the
// $600 2026 threshold and half lack a W-9, so the row fails; the benchmark
// measures the query, not the verdict.
func BenchmarkWK3TaxThresholds200k(b *testing.B) {
	dsn, o := bulkDB(b)
	env := benchEnv(b, dsn, map[string]string{config.TaxYear: fmt.Sprint(o.Now.Year())})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		r := checktest.Run(b, 10*time.Minute, func(ct check.T) { postlaunch.TaxThresholdMonitoring(ct, env) })
		el := time.Since(start)
		if r.Attrs["evidence.workers_paid"] == "" {
			b.Fatalf("WK-3 did not run its query: %s", r.Text())
		}
		if strings.Contains(r.Text(), "threshold query") {
			b.Fatalf("WK-3 query failed: %s", r.Text())
		}
		b.ReportMetric(el.Seconds(), "check-s")
		b.Logf("workers %s, ≥80%% %s, ≥90%% %s, ≥100%% %s (without form %s); query %s; verdict %s",
			r.Attrs["evidence.workers_paid"], r.Attrs["evidence.workers_ge_80pct"], r.Attrs["evidence.workers_ge_90pct"],
			r.Attrs["evidence.workers_ge_100pct"], r.Attrs["evidence.workers_ge_100pct_without_form"], r.Attrs["evidence.query_time"], r.Status())
	}
}
