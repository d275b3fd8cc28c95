package postlaunch

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/pg"
	"github.com/hustlexp/launchcheck/internal/target"
)

// Threshold1099K is the federal 1099-K reporting threshold from a tax year on.
type Threshold1099K struct {
	FromYear int
	Cents    int64
}

// ParseThresholds reads "YEAR=CENTS,…" (HUSTLEXP_1099K_THRESHOLDS). The
// defaults, $5,000 for 2024, $2,500 for 2025 and $600 for 2026 onward, are
// those of ops/compliance/1099-threshold-tracking.md (contract §12.3).
func ParseThresholds(items []string) ([]Threshold1099K, error) {
	var out []Threshold1099K
	for _, it := range items {
		y, c, ok := strings.Cut(it, "=")
		year, err1 := strconv.Atoi(strings.TrimSpace(y))
		cents, err2 := strconv.ParseInt(strings.TrimSpace(c), 10, 64)
		if !ok || err1 != nil || err2 != nil || year < 2000 || cents <= 0 {
			return nil, fmt.Errorf("%s: %q is not YEAR=CENTS", config.Thresholds1099K, it)
		}
		out = append(out, Threshold1099K{year, cents})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s is empty", config.Thresholds1099K)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FromYear < out[j].FromYear })
	return out, nil
}

// ThresholdFor returns the threshold that applies to year.
func ThresholdFor(ts []Threshold1099K, year int) (int64, error) {
	var cents int64
	for _, t := range ts {
		if t.FromYear <= year {
			cents = t.Cents
		}
	}
	if cents == 0 {
		return 0, fmt.Errorf("no 1099-K threshold for tax year %d in %s (earliest %d)", year, config.Thresholds1099K, ts[0].FromYear)
	}
	return cents, nil
}

// TaxCounts are the aggregate WK-3 observations (no names, no emails).
type TaxCounts struct {
	Workers, At80, At90, At100, At100NoForm int64
	FormSource                              string // "users.w9_on_file", "tax_forms", or "" (schema holds none)
}

// TaxThresholdCounts runs the threshold SQL: gross escrows.amount of RELEASED
// escrows per worker in the calendar year (released_at), against cents.
func TaxThresholdCounts(ctx context.Context, tx pgx.Tx, year int, cents int64) (TaxCounts, error) {
	var c TaxCounts
	var hasW9, hasForms bool
	err := tx.QueryRow(ctx, `SELECT
		EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'users' AND column_name = 'w9_on_file'),
		EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'tax_forms' AND column_name = 'user_id')`).Scan(&hasW9, &hasForms)
	if err != nil {
		return c, fmt.Errorf("inspect schema for tax forms: %w", err)
	}
	noForm := "false"
	switch {
	case hasW9:
		c.FormSource, noForm = "users.w9_on_file", "NOT coalesce(u.w9_on_file, false)"
	case hasForms:
		c.FormSource, noForm = "tax_forms", "NOT EXISTS (SELECT 1 FROM tax_forms f WHERE f.user_id = g.worker_id)"
	}
	start := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	q := `WITH g AS (
		SELECT t.worker_id, sum(e.amount)::bigint AS gross
		FROM escrows e JOIN tasks t ON t.id = e.task_id
		WHERE e.state = 'RELEASED' AND e.released_at >= $1 AND e.released_at < $2 AND t.worker_id IS NOT NULL
		GROUP BY t.worker_id)
	SELECT count(*),
	       count(*) FILTER (WHERE gross * 10 >= $3::bigint * 8),
	       count(*) FILTER (WHERE gross * 10 >= $3::bigint * 9),
	       count(*) FILTER (WHERE gross >= $3::bigint),
	       count(*) FILTER (WHERE gross >= $3::bigint AND ` + noForm + `)
	FROM g LEFT JOIN users u ON u.id = g.worker_id`
	err = tx.QueryRow(ctx, q, start, start.AddDate(1, 0, 0), cents).Scan(&c.Workers, &c.At80, &c.At90, &c.At100, &c.At100NoForm)
	if err != nil {
		return c, fmt.Errorf("1099-K threshold query for %d: %w", year, err)
	}
	return c, nil
}

// TaxThresholdMonitoring checks WK-3: Check 1099-K threshold monitoring.
// Per worker, gross released escrow in the tax year vs that year's
// threshold; counts at ≥ 80 %, ≥ 90 %, ≥ 100 % go to the report (never names
// or emails). Fails when workers at ≥ 100 % lack a tax form (W-9) where the
// schema records one, or when the query cannot run.
func TaxThresholdMonitoring(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.DatabaseURL)
	cfg := env.Cfg
	ts, err := ParseThresholds(cfg.List(config.Thresholds1099K))
	if err != nil {
		t.Fatalf("WK-3: %v", err)
	}
	year := time.Now().UTC().Year()
	if cfg.Has(config.TaxYear) {
		year = cfg.Int(config.TaxYear)
	}
	cents, err := ThresholdFor(ts, year)
	if err != nil {
		t.Fatalf("WK-3: %v", err)
	}
	ctx := check.Ctx(t, cfg)
	dsn := cfg.Get(config.DatabaseURL)
	var c TaxCounts
	start := time.Now()
	err = pg.Query(ctx, dsn, cfg.Duration(config.StatementTimeout), func(tx pgx.Tx) error {
		var err error
		c, err = TaxThresholdCounts(ctx, tx, year, cents)
		return err
	})
	if err != nil {
		t.Fatalf("WK-3 on %s: %v", pg.Host(dsn), err)
	}
	check.Evidence(t, "threshold", fmt.Sprintf("tax year %d: $%s (1099-K, gross RELEASED escrows.amount)", year, dollars(cents)))
	check.Evidence(t, "workers_paid", c.Workers)
	check.Evidence(t, "workers_ge_80pct", c.At80)
	check.Evidence(t, "workers_ge_90pct", c.At90)
	check.Evidence(t, "workers_ge_100pct", c.At100)
	check.Evidence(t, "query_time", time.Since(start).Round(time.Millisecond))
	check.Series(t, "workers_by_threshold", "workers", []string{"≥80%", "≥90%", "≥100%"}, []float64{float64(c.At80), float64(c.At90), float64(c.At100)})
	if c.FormSource == "" {
		check.Evidence(t, "tax_forms", "schema records no tax form (no users.w9_on_file, no tax_forms.user_id): W-9 presence not checkable")
		return
	}
	check.Evidence(t, "workers_ge_100pct_without_form", c.At100NoForm)
	if c.At100NoForm > 0 {
		t.Errorf("%d of %d workers at or over the $%s 1099-K threshold for %d have no tax form on file (%s): collect W-9s and hold their payouts (contract §12.3)",
			c.At100NoForm, c.At100, dollars(cents), year, c.FormSource)
	}
}

func dollars(cents int64) string {
	s := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if cents%100 != 0 {
		return fmt.Sprintf("%s.%02d", b.String(), cents%100)
	}
	return b.String()
}
