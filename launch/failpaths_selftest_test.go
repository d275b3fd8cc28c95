//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

import (
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/railwayfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/slackfake"
	"github.com/hustlexp/launchcheck/fixtures/standin"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/launch"
)

// A dependency a row reads is down (nothing listens on its port): every row
// fails within its deadline, naming what it asked (the address or the call).
func TestSelfDependencyDown(t *testing.T) {
	_, env := harness.World(t)
	dead := "http://" + checktest.ClosedPort(t)
	deadHost := dead[len("http://"):]
	rows := []struct {
		name string
		fn   func(check.T, *target.Env)
		set  map[string]string
		want []string
	}{
		{"INF-1 Railway API down", launch.RailwayProductionConfigured, map[string]string{config.RailwayAPIURL: dead}, []string{deadHost}},
		{"INF-2 Neon API down", launch.NeonProvisioned, map[string]string{config.NeonAPIURL: dead}, []string{"Neon project", deadHost}},
		{"INF-5 Cloudflare API down", launch.CloudflareInFront, map[string]string{config.CloudflareAPIURL: dead}, []string{deadHost}},
		{"INF-6 one resolver only", launch.DNSPropagated, map[string]string{config.DNSResolvers: "127.0.0.1:53"}, []string{"lists 1 resolver(s), want at least 2"}},
		{"INF-6 Cloudflare API down", launch.DNSPropagated, map[string]string{config.CloudflareAPIURL: dead}, []string{deadHost}},
		{"DB-5 Neon API down", launch.BackupsConfigured, map[string]string{config.NeonAPIURL: dead}, []string{deadHost}},
		{"DB-5 branch unknown", launch.BackupsConfigured, map[string]string{config.NeonBranch: "no-such-branch"}, []string{`no branch "no-such-branch"`}},
		{"GNG-1 Prometheus down", launch.ErrorRateBelowThreshold, map[string]string{config.PrometheusURL: dead}, []string{deadHost}},
		{"GNG-2 Prometheus down", launch.P99BelowSLA, map[string]string{config.PrometheusURL: dead}, []string{deadHost}},
		{"GNG-3 Alertmanager down", launch.NoP0AlertsFiring, map[string]string{config.AlertmanagerURL: dead}, []string{"GNG-3", deadHost}},
		{"GNG-4 API down", launch.BreakersClosedAtDecision, map[string]string{config.BaseURL: dead}, []string{"/health/detailed", deadHost}},
		{"MON-3 PagerDuty API down", launch.PagerDutyForP0, map[string]string{config.PagerDutyAPIURL: dead}, []string{"PagerDuty", deadHost}},
		{"MON-4 Slack API down", launch.SlackForP1P2, map[string]string{config.SlackAPIURL: dead + "/"}, []string{deadHost}},
		{"MON-5 Sentry API down", launch.SentryConfigured, map[string]string{config.SentryAPIURL: dead}, []string{deadHost}},
		{"RB-1 Railway API down", launch.RailwayRollbackReady, map[string]string{config.RailwayAPIURL: dead}, []string{deadHost}},
		{"RB-2 Neon API down", launch.NeonPITRReady, map[string]string{config.NeonAPIURL: dead}, []string{deadHost}},
		{"RB-2 branch unknown", launch.NeonPITRReady, map[string]string{config.NeonBranch: "no-such-branch"}, []string{`no branch "no-such-branch" to restore`}},
		{"RB-3 Stripe API down", launch.StripeWebhookDisableReady, map[string]string{config.StripeAPIBase: dead}, []string{"Stripe GET /v1/webhook_endpoints"}},
		{"RB-4 Cloudflare API down", launch.MaintenancePageReady, map[string]string{config.CloudflareAPIURL: dead}, []string{deadHost}},
		{"SEC-3 Stripe API down", launch.StripeWebhookRegistered, map[string]string{config.StripeAPIBase: dead}, []string{"Stripe GET /v1/webhook_endpoints"}},
		{"SEC-5 Sentry API down", launch.SentryDSNConfigured, map[string]string{config.SentryAPIURL: dead}, []string{"SEC-5", deadHost}},
		{"SEC-6 API down", launch.RateLimitsVerified, map[string]string{config.BaseURL: dead}, []string{deadHost}},
		{"SEC-7 API down", launch.CORSProductionOnly, map[string]string{config.BaseURL: dead}, []string{deadHost}},
		{"SEC-8 API down", launch.HealthHidesEnvironment, map[string]string{config.BaseURL: dead}, []string{deadHost}},
		// configuration a row cannot do without: named, never a silent pass
		{"DB-2 no scratch database", launch.InvariantTriggersActive, map[string]string{config.ScratchDatabaseURL: ""}, []string{config.ScratchDatabaseURL + " not set", "never writes to the primary"}},
		{"RB-4 no API host", launch.MaintenancePageReady, map[string]string{config.APIHost: "", config.BaseURL: ""}, []string{config.APIHost + " (or " + config.BaseURL + ") not set"}},
		{"RB-4 API host is an IP address", launch.MaintenancePageReady, map[string]string{config.APIHost: "203.0.113.10"}, []string{"API host is the IP address 203.0.113.10"}},
		{"SEC-6 no expected limit", launch.RateLimitsVerified, map[string]string{config.RateLimitPath: "/no-tier", config.ExpectedRateLimit: ""}, []string{"no expected limit for /no-tier"}},
	}
	for _, r := range rows {
		t.Run("fault="+r.name, func(t *testing.T) {
			bad := env.MustWith(r.set)
			checktest.MustFail(t, 45*time.Second, func(ct check.T) { r.fn(ct, bad) }, r.want...)
		})
	}
}

func TestSelfINF1MoreFaults(t *testing.T) {
	w, env := harness.World(t)
	rw := w.Railway
	t.Run("fault=deployment uploaded from a local tree (no git SHA)", func(t *testing.T) {
		var prev any
		rw.Update(func(s *railwayfake.State) {
			d := latestProd(s)
			prev, d.Meta["commitHash"] = d.Meta["commitHash"], "local-upload"
		})
		t.Cleanup(func() { rw.Update(func(s *railwayfake.State) { latestProd(s).Meta["commitHash"] = prev }) })
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.RailwayProductionConfigured(ct, env) }, `meta.commitHash "local-upload"`, "want a 40-hex git SHA")
	})
	t.Run("fault=older /health shape without build", func(t *testing.T) {
		t.Cleanup(w.Standin.SetFaults(func(f *standin.Faults) { f.HealthOldShape = true }))
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.RailwayProductionConfigured(ct, env) }, "GET /health has no build object")
	})
	t.Run("fault=/health unhealthy", func(t *testing.T) {
		t.Cleanup(w.Standin.SetFaults(func(f *standin.Faults) { f.DBDown = true }))
		checktest.MustFail(t, infTimeout, func(ct check.T) { launch.RailwayProductionConfigured(ct, env) }, "GET /health = 503", "want 200 healthy")
	})
}

func TestSelfMoreRowFaults(t *testing.T) {
	w, env := harness.World(t)
	rw := w.Railway
	t.Run("fault=SEC-5 SENTRY_DSN sealed", func(t *testing.T) {
		rw.Update(func(s *railwayfake.State) {
			s.Sealed = map[string]map[string]bool{railwayfake.VarsKey(s.Env("production").ID, s.Service("hustlexp-engine").ID): {"SENTRY_DSN": true}}
		})
		t.Cleanup(func() { rw.Update(func(s *railwayfake.State) { s.Sealed = nil }) })
		r := checktest.MustFail(t, secTimeout, func(ct check.T) { launch.SentryDSNConfigured(ct, env) }, "SENTRY_DSN is a sealed Railway variable")
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
	t.Run("fault=MON-4 alerts channel archived", func(t *testing.T) {
		sf := w.Slack
		sf.Update(func(s *slackfake.State) { s.Channels["C0ALERTS01"].Archived = true })
		t.Cleanup(func() { sf.Update(func(s *slackfake.State) { s.Channels["C0ALERTS01"].Archived = false }) })
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SlackForP1P2(ct, env) }, "is archived")
	})
}
