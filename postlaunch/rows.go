package postlaunch

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
	{ID: "DAY-1", Test: "TestDay1ErrorRate", Check: ErrorRateMonitored,
		Needs: []string{config.PrometheusURL}, Optional: []string{config.PrometheusToken, config.UpSelector, config.PromSelector}},
	{ID: "DAY-2", Test: "TestDay1NoEscrowDrift", Check: NoEscrowDrift,
		Needs: []string{config.DatabaseURL, config.StripeAPIBase, config.StripeSecretKey}},
	{ID: "DAY-3", Test: "TestDay1AISpend", Check: AISpendWithinBudget,
		Needs: []string{}, Optional: []string{config.AICostQuery, config.DatabaseURL, config.RedisURL, config.PrometheusURL, config.PrometheusToken}},
	{ID: "DAY-4", Test: "TestDay1SentryNewIssues", Check: SentryNewIssuesReviewed,
		Needs: []string{config.SentryAPIURL, config.SentryAuthToken, config.SentryOrg, config.SentryProject}},
	{ID: "WK-1", Test: "TestWeek1Stress", Check: StressOffPeak,
		Needs: []string{config.BaseURL}, Optional: []string{config.StressFull, config.StressTimeScale, config.StressVUScale, config.StressScript, config.RepoDir}},
	{ID: "WK-2", Test: "TestWeek1P99Trend", Check: P99Trend,
		Needs: []string{config.PrometheusURL}, Optional: []string{config.PrometheusToken, config.PromSelector}},
	{ID: "WK-3", Test: "TestWeek1TaxThresholds", Check: TaxThresholdMonitoring,
		Needs: []string{config.DatabaseURL}, Optional: []string{config.TaxYear, config.BaseURL, config.InternalAPIKey, config.RedisURL, config.RepoDir, config.PrometheusURL, config.PrometheusToken}},
	{ID: "WK-4", Test: "TestWeek1RestoreWorks", Check: RestoreWorks,
		Needs: []string{config.DatabaseURL, config.NeonAPIKey, config.NeonAPIURL, config.NeonProjectID}},
	{ID: "WK-5", Test: "TestWeek1RateLimitPatterns", Check: RateLimitPatterns,
		Needs: []string{config.PrometheusURL, config.RedisURL}, Optional: []string{config.PrometheusToken, config.PromSelector, config.RailwayToken, config.RailwayAPIToken, config.RailwayProjectID}},
}
