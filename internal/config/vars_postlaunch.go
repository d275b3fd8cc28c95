package config

// Post-launch Day 1 (DAY-1..DAY-4, tag day1) and Week 1 (WK-1..WK-5, tag
// week1), run nightly against the configured environment.
const (
	Day1Window         = "HUSTLEXP_DAY1_WINDOW"
	Day1Step           = "HUSTLEXP_DAY1_STEP"
	UpSelector         = "HUSTLEXP_UP_SELECTOR"
	DriftWindow        = "HUSTLEXP_DRIFT_WINDOW"
	DriftLookback      = "HUSTLEXP_DRIFT_LOOKBACK"
	DriftGrace         = "HUSTLEXP_DRIFT_GRACE"
	DriftFundedMaxAge  = "HUSTLEXP_DRIFT_FUNDED_MAX_AGE"
	DriftStuckAfter    = "HUSTLEXP_DRIFT_STUCK_AFTER"
	OutboxMaxAge       = "HUSTLEXP_OUTBOX_MAX_AGE"
	DriftMaxStripeObjs = "HUSTLEXP_DRIFT_MAX_STRIPE_OBJECTS"
	AIDailyBudgetUSD   = "HUSTLEXP_AI_DAILY_BUDGET_USD"
	AICostQuery        = "HUSTLEXP_AI_COST_QUERY"
	SentryEnvironment  = "HUSTLEXP_SENTRY_ENVIRONMENT"
	SentryNewIssuesMax = "HUSTLEXP_SENTRY_NEW_ISSUES_MAX"
	SentryFatalMinEvts = "HUSTLEXP_SENTRY_FATAL_MIN_EVENTS"
	AllowStress        = "HUSTLEXP_ALLOW_STRESS"
	StressWindow       = "HUSTLEXP_STRESS_WINDOW"
	StressFull         = "HUSTLEXP_STRESS_FULL"
	StressTimeScale    = "HUSTLEXP_STRESS_TIME_SCALE"
	StressVUScale      = "HUSTLEXP_STRESS_VU_SCALE"
	StressMaxFailPct   = "HUSTLEXP_STRESS_MAX_FAILURE_PCT"
	StressP95          = "HUSTLEXP_STRESS_P95"
	StressMax429       = "HUSTLEXP_STRESS_MAX_429"
	StressScript       = "HUSTLEXP_STRESS_SCRIPT"
	TrendDays          = "HUSTLEXP_TREND_DAYS"
	P99RegressionPct   = "HUSTLEXP_P99_REGRESSION_PCT"
	TaxYear            = "HUSTLEXP_TAX_YEAR"
	Thresholds1099K    = "HUSTLEXP_1099K_THRESHOLDS"
	RestorePointAgo    = "HUSTLEXP_RESTORE_POINT_AGO"
	RestoreTimeout     = "HUSTLEXP_RESTORE_TIMEOUT"
	RestoreTables      = "HUSTLEXP_RESTORE_TABLES"
	RateLimitDays      = "HUSTLEXP_RATE_LIMIT_DAYS"
	RateLimitFlagCount = "HUSTLEXP_RATE_LIMIT_FLAG_COUNT"
	RateLimitKeyMatch  = "HUSTLEXP_RATE_LIMIT_KEY_PATTERN"
)

func init() {
	declare(
		Var{Name: Day1Window, Kind: KindDuration, Default: "24h", Group: "Post-launch",
			Doc: "DAY-1: how far back the error rate is examined."},
		Var{Name: Day1Step, Kind: KindDuration, Default: "5m", Group: "Post-launch",
			Doc: "DAY-1: window length and step of the error-rate series; the worst window must stay under HUSTLEXP_MAX_ERROR_RATE_PCT."},
		Var{Name: UpSelector, Kind: KindString, Group: "Post-launch",
			Doc: "DAY-1: series selector whose samples are 1 while the API is up, judged per HUSTLEXP_DAY1_STEP window (a window with no sample or only 0 fails), e.g. probe_success{instance=\"https://api.hustlexp.app/health\"}. Default: up of the scrape jobs that export http_requests_total."},
		Var{Name: DriftWindow, Kind: KindDuration, Default: "24h", Group: "Post-launch",
			Doc: "DAY-2: escrows funded, released or refunded within this window are reconciled with Stripe."},
		Var{Name: DriftLookback, Kind: KindDuration, Default: "24h", Group: "Post-launch",
			Doc: "DAY-2: Stripe objects are listed from (window start − lookback), since a PaymentIntent or transfer is created before the escrow moves."},
		Var{Name: DriftGrace, Kind: KindDuration, Default: "15m", Group: "Post-launch",
			Doc: "DAY-2: changes younger than this are in flight (webhook not yet processed) and not called drift."},
		Var{Name: DriftFundedMaxAge, Kind: KindDuration, Default: "24h", Group: "Post-launch",
			Doc: "DAY-2: an escrow still FUNDED this long after its task reached COMPLETED/CANCELLED/EXPIRED is drift (release or refund never happened)."},
		Var{Name: DriftStuckAfter, Kind: KindDuration, Default: "10m", Group: "Post-launch",
			Doc: "DAY-2: a stripe_events row in 'processing' claimed longer ago than this is stuck (contract: recover_stuck_stripe_events runs every 10 min)."},
		Var{Name: OutboxMaxAge, Kind: KindDuration, Default: "15m", Group: "Post-launch",
			Doc: "DAY-2: outbox_events pending or failed for longer than this are a backlog."},
		Var{Name: DriftMaxStripeObjs, Kind: KindInt, Default: "2000000", Group: "Post-launch",
			Doc: "DAY-2: safety cap on Stripe objects listed per resource (100 per call); reaching it fails the row as unverified instead of running forever."},
		Var{Name: AIDailyBudgetUSD, Kind: KindFloat, Default: "50", Group: "Post-launch",
			Doc: "DAY-3: today's (UTC) AI spend ceiling in US dollars, checked against every observable source."},
		Var{Name: AICostQuery, Kind: KindString, Group: "Post-launch",
			Doc: "DAY-3: optional PromQL returning today's AI spend in US dollars, for deployments that export an AI cost metric (the contract's backend sends ai.cost only to StatsD)."},
		Var{Name: SentryEnvironment, Kind: KindString, Default: "production", Group: "Post-launch",
			Doc: "DAY-4: Sentry environment whose new issues are reviewed."},
		Var{Name: SentryNewIssuesMax, Kind: KindInt, Default: "10", Group: "Post-launch",
			Doc: "DAY-4: most new Sentry issues (first seen in the last 24 h) tolerated."},
		Var{Name: SentryFatalMinEvts, Kind: KindInt, Default: "5", Group: "Post-launch",
			Doc: "DAY-4: a new unhandled or fatal issue with more events than this fails the row."},
		Var{Name: AllowStress, Kind: KindBool, Group: "Post-launch",
			Doc: "WK-1: must be 1 to run the stress test against production (it also has to be inside HUSTLEXP_STRESS_WINDOW)."},
		Var{Name: StressWindow, Kind: KindString, Default: "02:00-05:00", Group: "Post-launch",
			Doc: "WK-1: off-peak window in UTC (HH:MM-HH:MM, may wrap midnight) outside which the stress test refuses production."},
		Var{Name: StressFull, Kind: KindBool, Group: "Post-launch",
			Doc: "WK-1: 1 runs the full k6-stress.js profile (8 minutes, ≈71,000 requests, peak ≈286 req/s) against a live target. Without it a live run uses the reduced profile (2 minutes, ≈3,600 requests, peak ≈57 req/s) and is unverified; a plan as large as the full one is refused."},
		Var{Name: StressTimeScale, Kind: KindFloat, Group: "Post-launch",
			Doc: "WK-1: factor on the k6-stress.js stage durations (1 m/2 m/2 m/1 m/2 m). Default: 1 with HUSTLEXP_STRESS_FULL=1, else 0.25 against a live target; 0.01 in the rehearsal."},
		Var{Name: StressVUScale, Kind: KindFloat, Group: "Post-launch",
			Doc: "WK-1: factor on the stage targets (10/50/100/100/0 VUs). Default: 1 with HUSTLEXP_STRESS_FULL=1, else 0.2 against a live target; 0.1 in the rehearsal."},
		Var{Name: StressMaxFailPct, Kind: KindFloat, Default: "5", Group: "Post-launch",
			Doc: "WK-1: http_req_failed ceiling in percent (k6-stress.js: rate < 0.05)."},
		Var{Name: StressP95, Kind: KindDuration, Default: "1s", Group: "Post-launch",
			Doc: "WK-1: p95 latency ceiling (k6-stress.js: p(95) < 1000 ms)."},
		Var{Name: StressMax429, Kind: KindInt, Default: "100", Group: "Post-launch",
			Doc: "WK-1: most 429 answers tolerated (k6-stress.js: rate_limited count < 100)."},
		Var{Name: StressScript, Kind: KindPath, Group: "Post-launch",
			Doc: "WK-1: k6 stress script (default ops/load-test/k6-stress.js under HUSTLEXP_REPO_DIR); run only when k6 is on PATH."},
		Var{Name: TrendDays, Kind: KindInt, Default: "7", Group: "Post-launch",
			Doc: "WK-2: days of daily P99 examined."},
		Var{Name: P99RegressionPct, Kind: KindFloat, Default: "20", Group: "Post-launch",
			Doc: "WK-2: the last day's P99 may exceed the week's median daily P99 by at most this many percent."},
		Var{Name: TaxYear, Kind: KindInt, Group: "Post-launch",
			Doc: "WK-3: calendar tax year examined (default: the current UTC year)."},
		Var{Name: Thresholds1099K, Kind: KindList, Default: "2024=500000,2025=250000,2026=60000", Group: "Post-launch",
			Doc: "WK-3: 1099-K federal threshold per tax year in cents, YEAR=CENTS; the latest year at or before the tax year applies. Defaults from ops/compliance/1099-threshold-tracking.md (contract §12.3): $5,000 for 2024, $2,500 for 2025, $600 for 2026 onward."},
		Var{Name: RestorePointAgo, Kind: KindDuration, Default: "1h", Group: "Post-launch",
			Doc: "WK-4: the Neon branch is restored from this long ago."},
		Var{Name: RestoreTimeout, Kind: KindDuration, Default: "10m", Group: "Post-launch",
			Doc: "WK-4: deadline for the branch to become ready (time-to-restore is recorded)."},
		Var{Name: RestoreTables, Kind: KindList, Default: "users,tasks,escrows,xp_ledger,proofs,stripe_events,outbox_events,applied_migrations,schema_versions", Group: "Post-launch",
			Doc: "WK-4: tables whose row counts are compared between the restored branch and the primary (rows created before the restore point)."},
		Var{Name: RateLimitDays, Kind: KindInt, Default: "7", Group: "Post-launch",
			Doc: "WK-5: days of 429s examined: by route in Prometheus and by client IP in Railway's HTTP logs."},
		Var{Name: RateLimitFlagCount, Kind: KindInt, Default: "1000", Group: "Post-launch",
			Doc: "WK-5: a route or a client IP with more 429s over the period (Prometheus by route, Railway HTTP logs by client), or a client whose live counter exceeds its limit by more, is flagged and fails the row."},
		Var{Name: RateLimitKeyMatch, Kind: KindString, Default: "rate:public:ip:*", Group: "Post-launch",
			Doc: "WK-5: Redis SCAN pattern of the per-IP rate-limit counters (never KEYS); they hold only the current window, so they add evidence, the 7-day judgement comes from Prometheus and Railway."},
	)
}
