package launch

import (
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
)

// Rows declares every checklist row of this package once: its id, the tagged
// test that runs it, its check, and the variables a live run needs (Needs;
// "A|B" = either) or reads when set (Optional). internal/rows joins the
// tables and proves them against the manifest and against what the checks
// really read.
var Rows = []check.Row{
	{ID: "INF-1", Test: "TestInfrastructureRailwayProductionConfigured", Check: RailwayProductionConfigured,
		Needs: append([]string{config.BaseURL}, railwayVars...), Optional: []string{config.InternalAPIKey, config.StripeSecretKey}},
	{ID: "INF-2", Test: "TestInfrastructureNeonProvisioned", Check: NeonProvisioned,
		Needs: []string{config.DatabaseURL, config.NeonAPIKey, config.NeonAPIURL, config.NeonProjectID}},
	{ID: "INF-3", Test: "TestInfrastructureUpstashProvisioned", Check: UpstashProvisioned,
		Needs: append([]string{config.UpstashRESTURL, config.UpstashRESTToken, check.AnyOf(config.UpstashRedisURL, config.RedisURL)}, railwayVars...)},
	{ID: "INF-4", Test: "TestInfrastructureCustomDomainTLS", Check: CustomDomainTLS,
		Needs: []string{apiHostVar}, Optional: []string{config.APIDialAddr, config.TLSCAFile}},
	{ID: "INF-5", Test: "TestInfrastructureCloudflareInFront", Check: CloudflareInFront,
		Needs: append([]string{apiHostVar}, append(cloudflareVars, railwayVars...)...)},
	{ID: "INF-6", Test: "TestInfrastructureDNSPropagated", Check: DNSPropagated,
		Needs: append([]string{apiHostVar}, cloudflareVars...)},
	{ID: "SEC-1", Test: "TestSecuritySecretsNoPlaceholders", Check: SecretsNoPlaceholders,
		Needs: append([]string{config.BaseURL, config.InternalAPIKey}, railwayVars...), Optional: []string{config.StripeSecretKey}},
	{ID: "SEC-2", Test: "TestSecurityValidateConfigOnStartup", Check: ValidateConfigOnStartup,
		Needs: append([]string{check.AnyOf(config.ServerFile, config.RepoDir)}, railwayVars...), Optional: []string{config.BaseURL}},
	{ID: "SEC-3", Test: "TestSecurityStripeWebhookRegistered", Check: StripeWebhookRegistered,
		Needs: []string{config.BaseURL, config.StripeAPIBase, config.StripeSecretKey}},
	{ID: "SEC-4", Test: "TestSecurityFirebaseProductionMode", Check: FirebaseProductionMode,
		Needs: append([]string{config.BaseURL, config.FirebaseWebAPIKey, config.FirebaseProjectID, config.FirebaseCredentialsFile}, railwayVars...)},
	{ID: "SEC-5", Test: "TestSecuritySentryDSNConfigured", Check: SentryDSNConfigured,
		Needs: append([]string{config.SentryAuthToken, config.SentryOrg, config.SentryProject, config.SentryAPIURL}, railwayVars...)},
	{ID: "SEC-6", Test: "TestSecurityRateLimitsVerified", Check: RateLimitsVerified,
		Needs: []string{config.BaseURL}, Optional: []string{config.InternalAPIKey, config.ExpectedRateLimit}},
	{ID: "SEC-7", Test: "TestSecurityCORSProductionOnly", Check: CORSProductionOnly,
		Needs: append([]string{config.BaseURL}, railwayVars...), Optional: []string{config.InternalAPIKey}},
	{ID: "SEC-8", Test: "TestSecurityHealthHidesEnvironment", Check: HealthHidesEnvironment,
		Needs: []string{config.BaseURL}, Optional: []string{config.InternalAPIKey, config.HealthAllowedFields}},
	{ID: "DB-1", Test: "TestDatabaseMigrationsApplied", Check: MigrationsApplied,
		Needs: []string{check.AnyOf(config.ExpectedMigrations, config.RepoDir), config.DatabaseURL}, Optional: []string{config.BaseURL}},
	{ID: "DB-2", Test: "TestDatabaseInvariantTriggersActive", Check: InvariantTriggersActive,
		Needs: []string{config.DatabaseURL, config.ScratchDatabaseURL}},
	{ID: "DB-3", Test: "TestDatabaseConnectionPoolSized", Check: PoolSized,
		Needs: append([]string{config.DatabaseURL}, railwayVars...)},
	{ID: "DB-4", Test: "TestDatabasePerformanceIndexesCreated", Check: PerformanceIndexesCreated,
		Needs: []string{config.DatabaseURL}},
	{ID: "DB-5", Test: "TestDatabaseBackupScheduleConfigured", Check: BackupsConfigured,
		Needs: []string{config.NeonAPIKey, config.NeonProjectID}},
	{ID: "MON-1", Test: "TestMonitoringDashboardImported", Check: DashboardImported,
		Needs:    []string{config.BaseURL, config.InternalAPIKey, config.GrafanaURL, config.GrafanaToken, config.PrometheusURL, check.AnyOf(config.DashboardFile, config.RepoDir)},
		Optional: []string{config.PrometheusToken}},
	{ID: "MON-2", Test: "TestMonitoringAlertRulesDeployed", Check: AlertRulesDeployed, Before: AlertRuleFileParses,
		Needs: []string{config.PrometheusURL, check.AnyOf(config.AlertRulesFile, config.RepoDir)}, Optional: []string{config.BaseURL}},
	{ID: "MON-3", Test: "TestMonitoringPagerDutyForP0", Check: PagerDutyForP0,
		Needs: []string{config.AlertmanagerURL, config.PagerDutyRoutingKey, config.PagerDutyServiceID, config.PagerDutyToken}, Optional: []string{config.AlertmanagerToken}},
	{ID: "MON-4", Test: "TestMonitoringSlackForP1P2", Check: SlackForP1P2,
		Needs: []string{config.AlertmanagerURL, config.SlackBotToken}, Optional: []string{config.AlertmanagerToken}},
	{ID: "MON-5", Test: "TestMonitoringSentryConfigured", Check: SentryConfigured,
		Needs: []string{config.BaseURL, config.SentryAuthToken, config.SentryDSN, config.SentryOrg, config.SentryProject}},
	{ID: "MON-6", Test: "TestMonitoringLogAggregation", Check: LogAggregation,
		Needs: []string{config.BaseURL, config.RailwayProjectID, railwayEitherToken}, Optional: []string{config.LogQueryURL, config.LogQueryToken}},
	{ID: "GNG-1", Test: "TestGoNoGoErrorRate", Check: ErrorRateBelowThreshold,
		Needs: []string{config.PrometheusURL}, Optional: []string{config.PrometheusToken, config.PromSelector}},
	{ID: "GNG-2", Test: "TestGoNoGoP99Latency", Check: P99BelowSLA,
		Needs: []string{config.PrometheusURL}, Optional: []string{config.PrometheusToken, config.PromSelector}},
	{ID: "GNG-3", Test: "TestGoNoGoNoP0Alerts", Check: NoP0AlertsFiring,
		Needs: []string{config.AlertmanagerURL, config.PrometheusURL}, Optional: []string{config.AlertmanagerToken, config.PrometheusToken}},
	{ID: "GNG-4", Test: "TestGoNoGoBreakersClosed", Check: BreakersClosedAtDecision,
		Needs: append([]string{config.BaseURL, config.InternalAPIKey}, railwayVars...)},
	{ID: "GNG-5", Test: "TestGoNoGoPoolUtilisation", Check: PoolBelowHalf,
		Needs: append([]string{config.BaseURL, config.InternalAPIKey}, railwayVars...), Optional: []string{config.PoolMetricQuery, config.PrometheusURL, config.PrometheusToken}},
	{ID: "RB-1", Test: "TestRollbackRailwayInstantRollback", Check: RailwayRollbackReady,
		Needs: []string{config.RailwayProjectID, railwayEitherToken}},
	{ID: "RB-2", Test: "TestRollbackNeonPITR", Check: NeonPITRReady,
		Needs: []string{config.NeonAPIKey, config.NeonProjectID}},
	{ID: "RB-3", Test: "TestRollbackStripeWebhookCanBeDisabled", Check: StripeWebhookDisableReady,
		Needs: []string{config.StripeSecretKey, config.BaseURL}},
	{ID: "RB-4", Test: "TestRollbackCloudflareMaintenancePage", Check: MaintenancePageReady,
		Needs: append([]string{apiHostVar}, cloudflareVars...)},
}

// apiHostVar is the API's public host: HUSTLEXP_API_HOST, else the host of
// HUSTLEXP_BASE_URL.
var apiHostVar = check.AnyOf(config.APIHost, config.BaseURL)
