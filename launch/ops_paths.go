package launch

// Paths of the backend's ops/ files inside its checkout (HUSTLEXP_REPO_DIR),
// as the checklist names them (MON-1, MON-2).
const (
	DashboardPath  = "ops/grafana/dashboard.json"
	AlertRulesPath = "ops/alerts/critical.yml"
)
