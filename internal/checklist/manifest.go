// Package checklist is the row manifest: every line of the HustleXP production
// launch checklist with its ID, phase (build tag) and section, verbatim.
package checklist

import (
	_ "embed"
)

// Document is the checklist as published by the backend team, verbatim.
//
//go:embed production-launch-checklist.md
var Document string

// Phase is a build tag.
type Phase string

const (
	Prelaunch Phase = "prelaunch"
	T0        Phase = "t0"
	Day1      Phase = "day1"
	Week1     Phase = "week1"
)

// Phases in run order.
var Phases = []Phase{Prelaunch, T0, Day1, Week1}

// Row is one checklist line.
type Row struct {
	ID      string
	Phase   Phase
	Section string // the checklist heading the line sits under
	Line    string // the line's text, verbatim, without "- [ ] "
}

// Rows lists all 55 rows in document order.
var Rows = []Row{
	{"INF-1", Prelaunch, "Infrastructure", "Railway production environment configured"},
	{"INF-2", Prelaunch, "Infrastructure", "Neon PostgreSQL production database provisioned"},
	{"INF-3", Prelaunch, "Infrastructure", "Upstash Redis production instance provisioned"},
	{"INF-4", Prelaunch, "Infrastructure", "Custom domain + SSL configured"},
	{"INF-5", Prelaunch, "Infrastructure", "CDN (Cloudflare) in front of Railway"},
	{"INF-6", Prelaunch, "Infrastructure", "DNS propagation verified"},
	{"SEC-1", Prelaunch, "Security", "All environment variables set in Railway (no placeholders)"},
	{"SEC-2", Prelaunch, "Security", "`validateConfig()` runs on startup (server.ts)"},
	{"SEC-3", Prelaunch, "Security", "Stripe webhook endpoint registered in Stripe Dashboard"},
	{"SEC-4", Prelaunch, "Security", "Firebase project set to production mode"},
	{"SEC-5", Prelaunch, "Security", "Sentry DSN configured for production"},
	{"SEC-6", Prelaunch, "Security", "Rate limits verified for production load"},
	{"SEC-7", Prelaunch, "Security", "CORS origins updated to production domains only"},
	{"SEC-8", Prelaunch, "Security", "Health endpoint does NOT expose environment info"},
	{"DB-1", Prelaunch, "Database", "All migrations applied (`schema_versions` table current)"},
	{"DB-2", Prelaunch, "Database", "5 invariant triggers verified active:"},
	{"DB-3", Prelaunch, "Database", "Connection pool sized for expected load (max 20)"},
	{"DB-4", Prelaunch, "Database", "Performance indexes created (`performance_indexes_v1`)"},
	{"DB-5", Prelaunch, "Database", "Backup schedule configured (Neon automated backups)"},
	{"MON-1", Prelaunch, "Monitoring", "Grafana dashboard imported (`ops/grafana/dashboard.json`)"},
	{"MON-2", Prelaunch, "Monitoring", "Alert rules deployed (`ops/alerts/critical.yml`)"},
	{"MON-3", Prelaunch, "Monitoring", "PagerDuty integration for P0 alerts"},
	{"MON-4", Prelaunch, "Monitoring", "Slack #alerts channel for P1/P2"},
	{"MON-5", Prelaunch, "Monitoring", "Sentry error tracking configured"},
	{"MON-6", Prelaunch, "Monitoring", "Log aggregation (Railway logs → external if needed)"},
	{"SMK-1", T0, "Smoke Tests", "`k6 run ops/load-test/k6-smoke.js` passes all thresholds"},
	{"SMK-2", T0, "Smoke Tests", "`/health` returns `{ status: \"healthy\" }`"},
	{"SMK-3", T0, "Smoke Tests", "`/health/readiness` returns 200 with DB latency <100ms"},
	{"SMK-4", T0, "Smoke Tests", "`/health/detailed` shows all circuit breakers CLOSED"},
	{"SMK-5", T0, "Smoke Tests", "Stripe test webhook fires and processes correctly"},
	{"FUN-1", T0, "Functional Verification", "User registration flow works (Firebase Auth)"},
	{"FUN-2", T0, "Functional Verification", "Task creation succeeds (OPEN state)"},
	{"FUN-3", T0, "Functional Verification", "Task acceptance succeeds (OPEN → ACCEPTED)"},
	{"FUN-4", T0, "Functional Verification", "Escrow creation + funding works (PENDING → FUNDED)"},
	{"FUN-5", T0, "Functional Verification", "Stripe payment intent creates successfully"},
	{"FUN-6", T0, "Functional Verification", "Proof submission flow works"},
	{"FUN-7", T0, "Functional Verification", "Escrow release + payout works (FUNDED → RELEASED)"},
	{"GNG-1", T0, "Go/No-Go Decision", "Error rate <1% for 15 minutes"},
	{"GNG-2", T0, "Go/No-Go Decision", "P99 latency <500ms"},
	{"GNG-3", T0, "Go/No-Go Decision", "No P0 alerts firing"},
	{"GNG-4", T0, "Go/No-Go Decision", "All circuit breakers CLOSED"},
	{"GNG-5", T0, "Go/No-Go Decision", "DB connection pool utilization <50%"},
	{"DAY-1", Day1, "Day 1", "Monitor error rate continuously"},
	{"DAY-2", Day1, "Day 1", "Verify no escrow state drift"},
	{"DAY-3", Day1, "Day 1", "Check AI daily spend is within $50 budget"},
	{"DAY-4", Day1, "Day 1", "Review Sentry for new error patterns"},
	{"WK-1", Week1, "Week 1", "Run `k6-stress.js` against production (off-peak hours)"},
	{"WK-2", Week1, "Week 1", "Review P99 latency trends"},
	{"WK-3", Week1, "Week 1", "Check 1099-K threshold monitoring"},
	{"WK-4", Week1, "Week 1", "Verify backup restore works (test restore to dev)"},
	{"WK-5", Week1, "Week 1", "Review rate limit hit patterns (abuse detection)"},
	{"RB-1", Prelaunch, "Rollback Plan", "**Immediate:** Railway instant rollback to previous deployment"},
	{"RB-2", Prelaunch, "Rollback Plan", "**Database:** Neon point-in-time recovery (PITR)"},
	{"RB-3", Prelaunch, "Rollback Plan", "**Stripe:** Webhook endpoint can be disabled in Stripe Dashboard"},
	{"RB-4", Prelaunch, "Rollback Plan", "**DNS:** Cloudflare can redirect to maintenance page in <30s"},
}

var byID = func() map[string]Row {
	m := make(map[string]Row, len(Rows))
	for _, r := range Rows {
		m[r.ID] = r
	}
	return m
}()

// ByID returns the row with the given ID.
func ByID(id string) (Row, bool) { r, ok := byID[id]; return r, ok }

// InPhase returns the rows of a phase in document order.
func InPhase(p Phase) []Row {
	var out []Row
	for _, r := range Rows {
		if r.Phase == p {
			out = append(out, r)
		}
	}
	return out
}
