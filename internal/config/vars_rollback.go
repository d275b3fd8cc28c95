package config

// Rollback Plan readiness (RB-1..RB-4). RB-1 reads Railway (RAILWAY_*),
// RB-2 Neon (NEON_*, HUSTLEXP_MIN_PITR_DAYS), RB-3 Stripe (STRIPE_*),
// RB-4 Cloudflare (CLOUDFLARE_*).
const (
	MaintenanceURL     = "HUSTLEXP_MAINTENANCE_URL"
	MaintenanceRule    = "HUSTLEXP_MAINTENANCE_RULE"
	MaintenanceDrill   = "HUSTLEXP_MAINTENANCE_DRILL"
	MaintenanceMaxTime = "HUSTLEXP_MAINTENANCE_MAX_TIME"
	PITRRestoreAgo     = "HUSTLEXP_PITR_RESTORE_AGO"
)

func init() {
	declare(
		Var{Name: MaintenanceURL, Kind: KindURL, Group: "Rollback",
			Doc: "The maintenance page the Cloudflare rule redirects to; must answer 200 (RB-4)."},
		Var{Name: MaintenanceRule, Kind: KindString, Default: "maintenance", Group: "Rollback",
			Doc: "Text in the description of the Cloudflare redirect rule that turns maintenance on (RB-4)."},
		Var{Name: MaintenanceDrill, Kind: KindBool, Group: "Rollback",
			Doc: "Opt-in (staging zone only): enable the maintenance rule, measure until the edge serves it, disable it (RB-4)."},
		Var{Name: MaintenanceMaxTime, Kind: KindDuration, Default: "30s", Group: "Rollback",
			Doc: "Ceiling for the maintenance switch-over in the RB-4 drill (checklist: < 30 s)."},
		Var{Name: PITRRestoreAgo, Kind: KindDuration, Default: "1h", Group: "Rollback",
			Doc: "Restore point that must lie inside the Neon PITR window (RB-2: one hour ago)."},
	)
}
