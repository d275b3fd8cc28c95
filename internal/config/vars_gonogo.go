package config

// Go/No-Go decision (GNG-1..GNG-5), tag t0. Metric rows read Prometheus
// (PROMETHEUS_URL, declared with the Monitoring variables) and Alertmanager;
// GNG-4/GNG-5 sample /health/detailed.
const (
	MinRequests      = "HUSTLEXP_MIN_REQUESTS"
	MaxErrorRatePct  = "HUSTLEXP_MAX_ERROR_RATE_PCT"
	GNGWindow        = "HUSTLEXP_GNG_WINDOW"
	GNGStep          = "HUSTLEXP_GNG_STEP"
	P99SLA           = "HUSTLEXP_P99_SLA"
	P0Severities     = "HUSTLEXP_P0_SEVERITIES"
	GNGSamples       = "HUSTLEXP_GNG_SAMPLES"
	GNGSampleWindow  = "HUSTLEXP_GNG_SAMPLE_WINDOW"
	PoolMaxUtilPct   = "HUSTLEXP_POOL_MAX_UTIL_PCT"
	PoolMetricQuery  = "HUSTLEXP_POOL_METRIC_QUERY"
	NeverFiringRules = "HUSTLEXP_NEVER_FIRING_RULES"
)

func init() {
	declare(
		Var{Name: MinRequests, Kind: KindInt, Default: "300", Group: "Go/No-Go",
			Doc: "Fewest requests a metric window must hold before an error rate or a latency quantile is judged; below it the row is UNVERIFIED (never passed)."},
		Var{Name: MaxErrorRatePct, Kind: KindFloat, Default: "1", Group: "Go/No-Go",
			Doc: "Error-rate ceiling in percent (5xx / all requests): GNG-1 over the window and per step, DAY-1 per 5-minute window."},
		Var{Name: GNGWindow, Kind: KindDuration, Default: "15m", Group: "Go/No-Go",
			Doc: "Window of the GNG-1 error rate and the GNG-2 P99 (checklist: 15 minutes)."},
		Var{Name: GNGStep, Kind: KindDuration, Default: "1m", Group: "Go/No-Go",
			Doc: "Step of the GNG-1 range query: no step of this length may exceed the error-rate ceiling."},
		Var{Name: P99SLA, Kind: KindDuration, Default: "500ms", Group: "Go/No-Go",
			Doc: "P99 latency SLA (GNG-2, and every day of WK-2)."},
		Var{Name: P0Severities, Kind: KindList, Default: "critical,P0,p0,page", Group: "Go/No-Go",
			Doc: "Alert `severity` label values that count as P0: GNG-3 fails on them firing, MON-3 requires each to be routed to PagerDuty."},
		Var{Name: GNGSamples, Kind: KindInt, Default: "12", Group: "Go/No-Go",
			Doc: "How many /health/detailed samples GNG-4 and GNG-5 take (round-robin spreads them over the replicas; at least 3 per replica recommended); when fewer replicas than the deployment runs answered, they go on, up to 2 per replica + 2."},
		Var{Name: GNGSampleWindow, Kind: KindDuration, Default: "3s", Group: "Go/No-Go",
			Doc: "Time over which the GNG-4/GNG-5 samples are spread (mind the `auth` tier: 20 /health/detailed per minute)."},
		Var{Name: PoolMaxUtilPct, Kind: KindFloat, Default: "50", Group: "Go/No-Go",
			Doc: "GNG-5 ceiling: pool.totalConnections ÷ DB_POOL_MAX (HUSTLEXP_DB_POOL_MAX) in percent, on every sample."},
		Var{Name: PoolMetricQuery, Kind: KindString, Group: "Go/No-Go",
			Doc: "Optional PromQL giving pool utilisation as a 0..1 ratio per instance, for deployments that export a pool metric; GNG-5 then also checks it: it needs PROMETHEUS_URL, and a query returning no series is unverified (the contract's backend does not export one)."},
		Var{Name: NeverFiringRules, Kind: KindList, Group: "Go/No-Go",
			Doc: "Alert rule names known to be unable to fire (MON-2's finding, e.g. rules on metrics the backend never updates); GNG-3 names them so 'no P0 firing' is not read as a vacuous pass. When empty GNG-3 asks Prometheus itself."},
	)
}
