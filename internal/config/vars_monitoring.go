package config

// Monitoring section (MON-1..MON-6). PROMETHEUS_URL and ALERTMANAGER_URL are
// also read by the Go/No-Go and post-launch rows.
const (
	PrometheusURL       = "PROMETHEUS_URL"
	PrometheusToken     = "PROMETHEUS_TOKEN"
	PromSelector        = "HUSTLEXP_PROM_SELECTOR"
	AlertmanagerURL     = "ALERTMANAGER_URL"
	AlertmanagerToken   = "ALERTMANAGER_TOKEN"
	GrafanaURL          = "GRAFANA_URL"
	GrafanaToken        = "GRAFANA_TOKEN"
	DashboardFile       = "HUSTLEXP_DASHBOARD_FILE"
	AlertRulesFile      = "HUSTLEXP_ALERT_RULES_FILE"
	AlertRuleGroup      = "HUSTLEXP_ALERT_RULE_GROUP"
	P0Severity          = "HUSTLEXP_P0_SEVERITY"
	SlackSeverities     = "HUSTLEXP_SLACK_SEVERITIES"
	PagerDutyToken      = "PAGERDUTY_TOKEN"
	PagerDutyAPIURL     = "PAGERDUTY_API_URL"
	PagerDutyServiceID  = "PAGERDUTY_SERVICE_ID"
	PagerDutyRoutingKey = "PAGERDUTY_ROUTING_KEY"
	PagerDutyEventsURL  = "PAGERDUTY_EVENTS_URL"
	SlackBotToken       = "SLACK_BOT_TOKEN"
	SlackAPIURL         = "SLACK_API_URL"
	SlackAlertsChannel  = "SLACK_ALERTS_CHANNEL"
	AlertDrill          = "HUSTLEXP_ALERT_DRILL"
	DrillDeadline       = "HUSTLEXP_DRILL_DEADLINE"
	DrillRecord         = "HUSTLEXP_DRILL_RECORD"
	DrillMaxAge         = "HUSTLEXP_DRILL_MAX_AGE"
	SentryDSN           = "SENTRY_DSN"
	SentryEventsMin     = "HUSTLEXP_SENTRY_MIN_EVENTS_24H"
	LogQueryURL         = "HUSTLEXP_LOG_QUERY_URL"
	LogQueryToken       = "HUSTLEXP_LOG_QUERY_TOKEN"
	LogDeadline         = "HUSTLEXP_LOG_DEADLINE"
)

func init() {
	declare(
		Var{Name: PrometheusURL, Kind: KindURL, Group: "Monitoring",
			Doc: "Prometheus HTTP API base URL (the Grafana data source), e.g. https://prometheus.internal:9090; MON-1/MON-2, Go/No-Go and post-launch metric rows query it."},
		Var{Name: PrometheusToken, Kind: KindSecret, Group: "Monitoring",
			Doc: "Optional bearer token for PROMETHEUS_URL (hosted Prometheus)."},
		Var{Name: PromSelector, Kind: KindString, Default: "auto", Group: "Monitoring",
			Doc: "Label matchers of the deployment under test, added to every selector of the backend's series (http_requests_total, http_request_duration_seconds_*, up) in the Go/No-Go and post-launch metric queries, e.g. job=\"hustlexp-production\" or {job=\"hustlexp-api\",env=\"production\"}. auto: the one scrape job exporting http_requests_total; when several do, those rows fail naming them (a staging soak would otherwise dilute production's errors)."},
		Var{Name: AlertmanagerURL, Kind: KindURL, Group: "Monitoring",
			Doc: "Alertmanager base URL (API v2 under /api/v2): routing and silences of P0/P1/P2 (MON-3/MON-4) and active alerts (GNG-3)."},
		Var{Name: AlertmanagerToken, Kind: KindSecret, Group: "Monitoring",
			Doc: "Optional bearer token for ALERTMANAGER_URL."},
		Var{Name: GrafanaURL, Kind: KindURL, Group: "Monitoring",
			Doc: "Grafana base URL (MON-1)."},
		Var{Name: GrafanaToken, Kind: KindSecret, Group: "Monitoring",
			Doc: "Grafana service-account token with dashboards:read (MON-1)."},
		Var{Name: DashboardFile, Kind: KindPath, Group: "Monitoring",
			Doc: "Dashboard payload to compare with Grafana (default: ops/grafana/dashboard.json under HUSTLEXP_REPO_DIR; the rehearsal uses its own copy)."},
		Var{Name: AlertRulesFile, Kind: KindPath, Group: "Monitoring",
			Doc: "Prometheus rule file to verify (default: ops/alerts/critical.yml under HUSTLEXP_REPO_DIR; the rehearsal uses its own copy)."},
		Var{Name: AlertRuleGroup, Kind: KindString, Default: "hustlexp.critical", Group: "Monitoring",
			Doc: "Rule group that must be loaded in Prometheus (MON-2)."},
		Var{Name: P0Severity, Kind: KindString, Default: "critical", Group: "Monitoring",
			Doc: "severity label value the MON-3 drill posts to Alertmanager; MON-3 checks PagerDuty routing for it and every value of HUSTLEXP_P0_SEVERITIES."},
		Var{Name: SlackSeverities, Kind: KindList, Default: "warning,info", Group: "Monitoring",
			Doc: "severity label values of P1/P2 alerts, which Alertmanager must route to Slack #alerts (MON-4)."},
		Var{Name: PagerDutyToken, Kind: KindSecret, Group: "Monitoring",
			Doc: "PagerDuty REST API token (read: services, escalation policies, on-calls; incidents for the drill) (MON-3)."},
		Var{Name: PagerDutyAPIURL, Kind: KindURL, Default: "https://api.pagerduty.com", Group: "Monitoring",
			Doc: "PagerDuty REST API base URL."},
		Var{Name: PagerDutyServiceID, Kind: KindString, Group: "Monitoring",
			Doc: "PagerDuty service that receives P0 alerts (MON-3)."},
		Var{Name: PagerDutyRoutingKey, Kind: KindSecret, Group: "Monitoring",
			Doc: "Events API v2 integration key of that service; only the opt-in drill uses it (MON-3)."},
		Var{Name: PagerDutyEventsURL, Kind: KindURL, Default: "https://events.pagerduty.com", Group: "Monitoring",
			Doc: "PagerDuty Events API v2 base URL (the drill posts to /v2/enqueue)."},
		Var{Name: SlackBotToken, Kind: KindSecret, Group: "Monitoring",
			Doc: "Slack bot token (channels:read, chat:write) for MON-4."},
		Var{Name: SlackAPIURL, Kind: KindURL, Default: "https://slack.com/api/", Group: "Monitoring",
			Doc: "Slack Web API base URL (with the trailing slash)."},
		Var{Name: SlackAlertsChannel, Kind: KindString, Default: "#alerts", Group: "Monitoring",
			Doc: "Slack channel for P1/P2 alerts (MON-4)."},
		Var{Name: AlertDrill, Kind: KindBool, Group: "Monitoring",
			Doc: "Opt-in: run the alert drills (PagerDuty trigger+resolve, Slack post+delete, Sentry test event). Never runs unless set."},
		Var{Name: DrillDeadline, Kind: KindDuration, Default: "60s", Group: "Monitoring",
			Doc: "How long a drill waits for its incident, message or event to show up."},
		Var{Name: DrillRecord, Kind: KindPath, Group: "Monitoring",
			Doc: "JSON-lines file of dated drill results (MON-3, MON-4, RB-2, RB-4): a passing drill appends one; a run without a drill accepts one no older than HUSTLEXP_DRILL_MAX_AGE (shown with its date), else the row is unverified; a live run accepts only drills against staging or production (RB-2: of NEON_PROJECT_ID)."},
		Var{Name: DrillMaxAge, Kind: KindDuration, Default: "168h", Group: "Monitoring",
			Doc: "Oldest drill result (HUSTLEXP_DRILL_RECORD) that still proves delivery / switch-over / restore: 7 days."},
		Var{Name: SentryDSN, Kind: KindSecret, Group: "Monitoring",
			Doc: "DSN of the production Sentry project; only the opt-in MON-5 drill sends to it."},
		Var{Name: SentryEventsMin, Kind: KindInt, Default: "1", Group: "Monitoring",
			Doc: "Fewest events the Sentry project must have received in the last 24 h (MON-5; DAY-4 is unverified below it): zero means nothing reaches Sentry."},
		Var{Name: LogQueryURL, Kind: KindURL, Group: "Monitoring",
			Doc: "External log sink search endpoint (MON-6): GET <url>?q=<request id> returns JSON {\"lines\":[…]} or NDJSON; when empty the Railway deployment logs API is used."},
		Var{Name: LogQueryToken, Kind: KindSecret, Group: "Monitoring",
			Doc: "Bearer token for HUSTLEXP_LOG_QUERY_URL."},
		Var{Name: LogDeadline, Kind: KindDuration, Default: "60s", Group: "Monitoring",
			Doc: "How long MON-6 waits for the tagged request's log line to reach the log store."},
	)
}
