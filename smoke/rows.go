package smoke

import (
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/replicas"
)

// Rows declares every checklist row of this package once: its id, the tagged
// test that runs it, its check, and the variables a live run needs (Needs;
// "A|B" = either) or reads when set (Optional). internal/rows joins the
// tables and proves them against the manifest and against what the checks
// really read.
var Rows = []check.Row{
	{ID: "SMK-1", Test: "TestSmokeK6SmokePasses", Check: K6SmokePasses,
		Needs: []string{config.BaseURL}, Optional: []string{config.InternalAPIKey, config.RepoDir}},
	{ID: "SMK-2", Test: "TestSmokeHealthHealthy", Check: HealthHealthy,
		Needs: append([]string{config.BaseURL}, replicas.RailwayVars...), Optional: []string{config.InternalAPIKey}},
	{ID: "SMK-3", Test: "TestSmokeReadinessDBLatency", Check: ReadinessDBLatency,
		Needs: []string{config.BaseURL, config.InternalAPIKey}},
	{ID: "SMK-4", Test: "TestSmokeBreakersClosed", Check: BreakersClosed,
		Needs: append([]string{config.BaseURL, config.InternalAPIKey}, replicas.RailwayVars...)},
	{ID: "SMK-5", Test: "TestSmokeStripeWebhookProcesses", Check: StripeWebhookProcesses,
		Needs: []string{config.BaseURL, config.DatabaseURL, config.StripeWebhookSecret}, Optional: []string{config.InternalAPIKey}},
}
