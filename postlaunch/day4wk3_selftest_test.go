//go:build !prelaunch && !t0 && !day1 && !week1

package postlaunch_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/promfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/sentryfake"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/postlaunch"
)

// TestSelfDAY4SentryReceivesEvents: "0 new issues" only counts when Sentry
// receives events. SENTRY_DSN deleted (or its key revoked) after launch
// leaves the project silent; the old check passed it.
func TestSelfDAY4SentryReceivesEvents(t *testing.T) {
	_, env := harness.World(t)
	r := checktest.MustPass(t, day1Timeout, func(ct check.T) { postlaunch.SentryNewIssuesReviewed(ct, env) })
	if r.Attrs[check.AttrEvidence+"events_received_24h"] == "" {
		t.Fatalf("no events_received_24h evidence: %v", r.Attrs)
	}
	t.Run("fault=no event received in 24 h (DSN removed)", func(t *testing.T) {
		f, bad := privateSentry(t, env)
		f.Update(func(s *sentryfake.State) { s.Mon().EventsPerHour = 0; s.Events = nil })
		r := checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.SentryNewIssuesReviewed(ct, bad) },
			"UNVERIFIED", "Sentry received 0 events in the last 24 h", config.SentryEventsMin, "nothing reaches Sentry")
		if r.Status() != "unverified" {
			t.Errorf("status %s, want unverified", r.Status())
		}
	})
	t.Run("fault=stats call answers 403", func(t *testing.T) {
		_, priv := privateSentry(t, env)
		bad := checktest.FailFront(t, priv, config.SentryAPIURL, func(r *http.Request, _ []byte) bool {
			return strings.HasSuffix(r.URL.Path, "/stats/")
		}, http.StatusForbidden, `{"detail":"You do not have permission to perform this action."}`)
		checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.SentryNewIssuesReviewed(ct, bad) },
			"UNVERIFIED", "received-event stats could not be read", "403", "project:read")
	})
	t.Run("a severe issue stays a FAIL when nothing else is received", func(t *testing.T) {
		f, bad := privateSentry(t, env)
		f.Update(func(s *sentryfake.State) { s.Mon().EventsPerHour = 0; s.Events = nil })
		f.AddIssue(sentryfake.Issue{Title: "FATAL: escrow release worker crashed", Level: "fatal", Status: "unresolved", Unhandled: true,
			Count: 50, UserCount: 20, FirstSeen: time.Now().Add(-time.Hour), LastSeen: time.Now(), Environment: "production"})
		r := checktest.MustFail(t, day1Timeout, func(ct check.T) { postlaunch.SentryNewIssuesReviewed(ct, bad) }, "unhandled/fatal")
		if r.Status() == "unverified" {
			t.Errorf("a FAIL was softened to unverified")
		}
	})
}

// TestSelfWK3AlertRuleHealth: an alert rule counts as monitoring only when
// Prometheus evaluates it (health ok) and its tax metrics have series.
func TestSelfWK3AlertRuleHealth(t *testing.T) {
	w, env := harness.World(t)
	checktest.MustPass(t, week1Timeout, func(ct check.T) { postlaunch.TaxThresholdMonitoring(ct, env) })
	// The rule ops/compliance/1099-threshold-tracking.md proposes, loaded in
	// Prometheus; the backend emits no worker_annual_earnings_usd (captures
	// 08b) and /metrics is not read (no internal API key): the old check
	// counted the rule as active monitoring.
	const proposed = "groups:\n- name: compliance\n  rules:\n  - alert: Worker1099ThresholdApproaching\n    expr: worker_annual_earnings_usd{app=\"hustlexp\"} > 4000\n    labels:\n      severity: info\n"
	t.Run("fault=proposed rule loaded, metric never emitted, /metrics not read", func(t *testing.T) {
		p := promfake.Run(t, promfake.With(promfake.Options{History: time.Hour}))
		if err := p.LoadRules("compliance.yml", []byte(proposed)); err != nil {
			t.Fatal(err)
		}
		bad := env.MustWith(map[string]string{config.PrometheusURL: p.URL, config.RedisURL: taxRedisDB(t, w, 10, false), config.InternalAPIKey: ""})
		checktest.MustFail(t, week1Timeout, func(ct check.T) { postlaunch.TaxThresholdMonitoring(ct, bad) },
			"alert rule Worker1099ThresholdApproaching", "worker_annual_earnings_usd", "no series in Prometheus", "can never fire")
	})
	// A tax rule Prometheus cannot evaluate: one threshold series matched
	// against several earnings series without group_left is a many-to-one
	// match PromQL refuses at every evaluation (health "err").
	t.Run("fault=tax rule with health err", func(t *testing.T) {
		p := promfake.Run(t, promfake.With(promfake.Options{History: time.Hour}))
		now := time.Now()
		for _, wk := range []string{"w1", "w2"} {
			p.AddSeries(map[string]string{"__name__": "worker_annual_earnings_usd", "app": "hustlexp", "worker": wk}, now.Add(-2*time.Hour), now.Add(time.Hour), func(time.Time) float64 { return 450 })
		}
		p.AddSeries(map[string]string{"__name__": "tax_threshold_usd", "app": "hustlexp"}, now.Add(-2*time.Hour), now.Add(time.Hour), func(time.Time) float64 { return 600 })
		rule := "groups:\n- name: compliance\n  rules:\n  - alert: Worker1099ThresholdApproaching\n    expr: worker_annual_earnings_usd > on(app) tax_threshold_usd * 0.8\n"
		if err := p.LoadRules("compliance.yml", []byte(rule)); err != nil {
			t.Fatal(err)
		}
		bad := env.MustWith(map[string]string{config.PrometheusURL: p.URL, config.RedisURL: taxRedisDB(t, w, 11, false)})
		checktest.MustFail(t, week1Timeout, func(ct check.T) { postlaunch.TaxThresholdMonitoring(ct, bad) },
			"alert rule Worker1099ThresholdApproaching", `health "err"`, "can never fire")
	})
	t.Run("a tax rule Prometheus evaluates over emitted series is a monitor", func(t *testing.T) {
		p := promfake.Run(t, promfake.With(promfake.Options{History: time.Hour}))
		now := time.Now()
		p.AddSeries(map[string]string{"__name__": "worker_annual_earnings_usd", "app": "hustlexp", "worker": "w1"}, now.Add(-2*time.Hour), now.Add(time.Hour), func(time.Time) float64 { return 450 })
		if err := p.LoadRules("compliance.yml", []byte(proposed)); err != nil {
			t.Fatal(err)
		}
		good := env.MustWith(map[string]string{config.PrometheusURL: p.URL, config.RedisURL: taxRedisDB(t, w, 12, false), config.InternalAPIKey: ""})
		r := checktest.MustPass(t, week1Timeout, func(ct check.T) { postlaunch.TaxThresholdMonitoring(ct, good) })
		if ev := r.Attrs[check.AttrEvidence+"monitoring"]; !strings.Contains(ev, "Worker1099ThresholdApproaching") {
			t.Errorf("monitoring evidence %q does not name the rule", ev)
		}
	})
}
