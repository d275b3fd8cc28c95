//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hustlexp/launchcheck/fixtures/fakes/alertmanagerfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/railwayfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/sentryfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/slackfake"
	"github.com/hustlexp/launchcheck/fixtures/ops"
	"github.com/hustlexp/launchcheck/fixtures/standin"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/launch"
)

// Failure coverage of the MON rows (issue 13): one realistic fault per
// failure statement the MON self-tests did not reach, each asserting that
// statement's own message.

// pathEnds matches the requests whose URL path ends with suffix (and, when
// method is not empty, whose method is method).
func pathEnds(method, suffix string) func(*http.Request, []byte) bool {
	return func(r *http.Request, _ []byte) bool {
		return (method == "" || r.Method == method) && strings.HasSuffix(r.URL.Path, suffix)
	}
}

// Prometheus' error body (API v1) for a query it refuses to run.
const promTooManySamples = `{"status":"error","errorType":"execution","error":"query processing would load too many samples into memory in query execution"}`

// Sentry's answer to a token that lacks the scope an endpoint needs.
const sentryNoPermission = `{"detail":"You do not have permission to perform this action."}`

func TestSelfMON1FailureCoverage(t *testing.T) {
	_, env := harness.World(t)
	t.Run("fault=live run without the dashboard file", func(t *testing.T) {
		live := env.MustWith(map[string]string{config.HustlexpTarget: "production", config.DashboardFile: "", config.RepoDir: ""})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.DashboardImported(ct, live) },
			"live config incomplete", config.DashboardFile+" (or "+config.RepoDir+" with "+launch.DashboardPath+") not set")
	})
	t.Run("fault=backend checkout without ops/grafana", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.DashboardFile: "", config.RepoDir: t.TempDir()})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.DashboardImported(ct, bad) },
			"read "+launch.DashboardPath+": ", "no such file", "set "+config.DashboardFile+" or "+config.RepoDir)
	})
	t.Run("fault=dashboard file cut short", func(t *testing.T) {
		file := writeTemp(t, "dashboard.json", ops.Dashboard[:len(ops.Dashboard)/2])
		bad := env.MustWith(map[string]string{config.DashboardFile: file})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.DashboardImported(ct, bad) }, file+": dashboard file is not JSON")
	})
	t.Run("fault=internal API key rotated (/metrics refused)", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.InternalAPIKey: "rotated-internal-key-0000000000000000"})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.DashboardImported(ct, bad) },
			"the backend's /metrics could not be read", "401")
	})
	t.Run("fault=Prometheus refuses a panel query", func(t *testing.T) {
		bad := checktest.FailFront(t, env, config.PrometheusURL, pathEnds("", "/api/v1/query_range"), 422, promTooManySamples)
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.DashboardImported(ct, bad) },
			`panel "Request rate by route": `, "too many samples")
	})
}

// dropRule removes the rule named alert from a rule file (the text from its
// "- alert:" line to the next one).
func dropRule(t *testing.T, rules, alert string) string {
	t.Helper()
	start := strings.Index(rules, "      - alert: "+alert+"\n")
	if start < 0 {
		t.Fatalf("rule %s not in the rule file", alert)
	}
	end := strings.Index(rules[start+1:], "      - alert: ")
	if end < 0 {
		return rules[:start]
	}
	return rules[:start] + rules[start+1+end:]
}

// withRuleHealth answers Prometheus' /api/v1/rules with alert's health and
// lastError replaced (Prometheus reports a rule whose evaluation fails so).
func withRuleHealth(alert, health, lastError string) func(map[string]any) {
	return func(body map[string]any) {
		data, _ := body["data"].(map[string]any)
		groups, _ := data["groups"].([]any)
		for _, g := range groups {
			rules, _ := g.(map[string]any)["rules"].([]any)
			for _, r := range rules {
				if m, ok := r.(map[string]any); ok && m["name"] == alert {
					m["health"], m["lastError"] = health, lastError
				}
			}
		}
	}
}

func TestSelfMON2FailureCoverage(t *testing.T) {
	_, env := harness.World(t)
	rules := string(ops.AlertRules)
	t.Run("fault=rule group renamed in the file", func(t *testing.T) {
		file := writeTemp(t, "critical.yml", []byte(strings.Replace(rules, "name: hustlexp.critical", "name: hustlexp-critical", 1)))
		bad := env.MustWith(map[string]string{config.AlertRulesFile: file})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.AlertRulesDeployed(ct, bad) },
			file+` has no rule group "hustlexp.critical" with rules (`+config.AlertRuleGroup+")")
	})
	t.Run("fault=deployed file lacks a rule", func(t *testing.T) {
		p := privateProm(t, []byte(dropRule(t, rules, "HustleXPPaymentErrors")))
		bad := env.MustWith(map[string]string{config.PrometheusURL: p.URL})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.AlertRulesDeployed(ct, bad) },
			`rule "HustleXPPaymentErrors" of group "hustlexp.critical" is not loaded in Prometheus`)
	})
	t.Run("fault=rule evaluation failing in Prometheus", func(t *testing.T) {
		const lastErr = "vector contains metrics with the same labelset after applying alert labels"
		bad := checktest.JSONFront(t, env, config.PrometheusURL, func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/api/v1/rules") },
			withRuleHealth("HustleXPRateLimitSpike", "err", lastErr))
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.AlertRulesDeployed(ct, bad) },
			`rule "HustleXPRateLimitSpike" health "err", want ok: `+lastErr)
	})
	t.Run("fault=Prometheus refuses the series lookup", func(t *testing.T) {
		bad := checktest.FailFront(t, env, config.PrometheusURL, pathEnds("", "/api/v1/series"), 503,
			`{"status":"error","errorType":"unavailable","error":"TSDB not ready"}`)
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.AlertRulesDeployed(ct, bad) },
			`rule "HustleXPHighErrorRate": `, "prometheus series", "server error: 503")
	})
}

func TestSelfMON3FailureCoverage(t *testing.T) {
	w, env := harness.World(t)
	t.Run("fault=Alertmanager config with a UTF-8 matcher", func(t *testing.T) {
		// Alertmanager ≥ 0.27 accepts quoted UTF-8 label names; launchcheck's matcher parser does not
		am := w.Alertmanager
		am.SetConfig(strings.Replace(alertmanagerfake.HealthyConfig, `matchers: ['severity="critical"']`, `matchers: ['"service.name"="hustlexp-engine"', 'severity="critical"']`, 1))
		t.Cleanup(func() { am.SetConfig(alertmanagerfake.HealthyConfig) })
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.PagerDutyForP0(ct, env) },
			"reports a configuration launchcheck cannot read", `bad matcher "\"service.name\"=\"hustlexp-engine\""`)
	})
	t.Run("fault=PagerDuty refuses GET /oncalls", func(t *testing.T) {
		bad := checktest.FailFront(t, env, config.PagerDutyAPIURL, pathEnds(http.MethodGet, "/oncalls"), 403,
			`{"error":{"message":"Access Denied","code":2010,"errors":["Access Denied"]}}`)
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.PagerDutyForP0(ct, bad) }, "PagerDuty GET /oncalls: ", "Access Denied")
	})
	t.Run("fault=drill with a rotated routing key", func(t *testing.T) {
		drill := env.MustWith(map[string]string{config.AlertDrill: "1", config.PagerDutyRoutingKey: "R0ROTATEDROUTINGKEY00000000000001"})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.PagerDutyForP0(ct, drill) },
			"PagerDuty Events API v2 trigger: ", "status code 400", "is "+config.PagerDutyRoutingKey+" the Events API v2 integration key")
	})
	t.Run("fault=Alertmanager refuses the drill alert", func(t *testing.T) {
		drill := checktest.FailFront(t, env.MustWith(map[string]string{config.AlertDrill: "1"}), config.AlertmanagerURL,
			pathEnds(http.MethodPost, "/api/v2/alerts"), 500, `"failed to store alerts: context deadline exceeded"`)
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.PagerDutyForP0(ct, drill) }, "drill: ", "500")
	})
}

func TestSelfMON4FailureCoverage(t *testing.T) {
	w, env := harness.World(t)
	sf := w.Slack
	drill := env.MustWith(map[string]string{config.AlertDrill: "1"})
	t.Run("fault=posting to #alerts restricted", func(t *testing.T) {
		bad := checktest.FailFront(t, drill, config.SlackAPIURL, pathEnds("", "/chat.postMessage"), 200, `{"ok":false,"error":"restricted_action"}`)
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SlackForP1P2(ct, bad) },
			"Slack chat.postMessage to C0ALERTS01: ", "restricted_action")
	})
	t.Run("fault=drill message cannot be deleted", func(t *testing.T) {
		// the first chat.delete fails; the check's cleanup deletes the message
		var deletes atomic.Int32
		first := func(r *http.Request, b []byte) bool {
			return strings.HasSuffix(r.URL.Path, "/chat.delete") && deletes.Add(1) == 1
		}
		bad := checktest.FailFront(t, drill, config.SlackAPIURL, first, 200, `{"ok":false,"error":"cant_delete_message"}`)
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SlackForP1P2(ct, bad) },
			"Slack chat.delete of the drill message ", "cant_delete_message")
		var left []string
		sf.Update(func(s *slackfake.State) {
			for _, m := range s.Channels["C0ALERTS01"].Messages {
				if strings.Contains(m.Text, env.Tag()) {
					left = append(left, m.TS)
				}
			}
		})
		if len(left) > 0 {
			t.Fatalf("the check's cleanup left the drill message(s) %v in #alerts", left)
		}
	})
}

func TestSelfMON5FailureCoverage(t *testing.T) {
	w, env := harness.World(t)
	sf := w.Sentry
	t.Run("fault=token without alerts:read (rules refused)", func(t *testing.T) {
		bad := checktest.FailFront(t, env, config.SentryAPIURL, pathEnds(http.MethodGet, "/rules/"), 403, sentryNoPermission)
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SentryConfigured(ct, bad) }, "/rules/", "403", "do not have permission")
	})
	t.Run("fault=stats refused", func(t *testing.T) {
		bad := checktest.FailFront(t, env, config.SentryAPIURL, pathEnds(http.MethodGet, "/stats/"), 429,
			`{"detail":"You are attempting to use this endpoint too frequently. Limit is 40 requests in 1 seconds"}`)
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SentryConfigured(ct, bad) }, "/stats/", "429", "too frequently")
	})
	t.Run("fault=token without project:releases (releases refused)", func(t *testing.T) {
		bad := checktest.FailFront(t, env, config.SentryAPIURL, pathEnds(http.MethodGet, "/releases/"), 403, sentryNoPermission)
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SentryConfigured(ct, bad) }, "/releases/", "403", "do not have permission")
	})
	t.Run("fault=older /health without build (deployed commit unknown)", func(t *testing.T) {
		t.Cleanup(w.Standin.SetFaults(func(f *standin.Faults) { f.HealthOldShape = true }))
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SentryConfigured(ct, env) },
			`deployed commit: GET /health: build.revision = ""`)
	})
	t.Run("fault=Railway live deployment crashed", func(t *testing.T) {
		crashLive(t, w.Railway)
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SentryConfigured(ct, env) },
			"Railway: service hustlexp-engine has no SUCCESS deployment")
	})
	t.Run("fault=drill DSN without a project id", func(t *testing.T) {
		dsn := env.Cfg.Get(config.SentryDSN)
		cut := dsn[:strings.LastIndex(dsn, "/")+1]
		drill := env.MustWith(map[string]string{config.AlertDrill: "1", config.SentryDSN: cut})
		r := checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SentryConfigured(ct, drill) },
			"sentry-go rejected "+config.SentryDSN+": ", "empty project id")
		if strings.Contains(r.Text(), cut) {
			t.Fatalf("the DSN leaked into the failure: %s", r.Text())
		}
	})
	t.Run("fault=some rules disabled, the others without a status", func(t *testing.T) {
		var saved []sentryfake.AlertRule
		sf.Update(func(s *sentryfake.State) {
			m := s.Mon()
			saved = m.Rules
			m.Rules = []sentryfake.AlertRule{
				{ID: "9001", Name: "Escrow errors to PagerDuty", Environment: "production", Status: "disabled"},
				{ID: "9002", Name: "New issue to #alerts", Environment: "production"},
			}
		})
		t.Cleanup(func() { sf.Update(func(s *sentryfake.State) { s.Mon().Rules = saved }) })
		r := checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SentryConfigured(ct, env) },
			"no active alert rules (2 rules: ", `"Escrow errors to PagerDuty" status="disabled"`, `"New issue to #alerts" status=""`)
		if got := r.Attrs[check.AttrEvidence+"alert_rules"]; got != "0 active of 2" {
			t.Fatalf("alert_rules evidence %q, want 0 active of 2", got)
		}
	})
}

// crashLive marks every SUCCESS deployment of the production service
// CRASHED (the live container died and no deployment is up) until cleanup.
func crashLive(t *testing.T, rw *railwayfake.Fake) {
	t.Helper()
	var crashed []*railwayfake.Deployment
	rw.Update(func(s *railwayfake.State) {
		live := latestProd(s)
		for _, d := range s.Deployments {
			if d.ServiceID == live.ServiceID && d.EnvironmentID == live.EnvironmentID && d.Status == railwayfake.StatusSuccess {
				d.Status = railwayfake.StatusCrashed
				crashed = append(crashed, d)
			}
		}
	})
	if len(crashed) == 0 {
		t.Fatal("no SUCCESS deployment of the production service to crash")
	}
	t.Cleanup(func() {
		rw.Update(func(*railwayfake.State) {
			for _, d := range crashed {
				d.Status = railwayfake.StatusSuccess
			}
		})
	})
}

func TestSelfMON6FailureCoverage(t *testing.T) {
	w, env := harness.World(t)
	rw := w.Railway
	fast := env.MustWith(map[string]string{config.LogDeadline: "2s"})
	t.Run("fault=Railway service renamed", func(t *testing.T) {
		bad := fast.MustWith(map[string]string{config.RailwayService: "hustlexp-api"})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.LogAggregation(ct, bad) }, `has no service "hustlexp-api"`, "hustlexp-engine")
	})
	t.Run("fault=Railway deployments query failing", func(t *testing.T) {
		rw.Update(func(s *railwayfake.State) { s.FailField = "deployments" })
		t.Cleanup(func() { rw.Update(func(s *railwayfake.State) { s.FailField = "" }) })
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.LogAggregation(ct, fast) }, "Deployments", "Problem processing request")
	})
	t.Run("fault=live deployment crashed", func(t *testing.T) {
		crashLive(t, rw)
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.LogAggregation(ct, fast) },
			"Railway service hustlexp-engine has no SUCCESS deployment whose logs could hold the request")
	})
	t.Run("fault=API down", func(t *testing.T) {
		dead := "http://" + checktest.ClosedPort(t)
		bad := fast.MustWith(map[string]string{config.BaseURL: dead})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.LogAggregation(ct, bad) }, "GET /health/liveness: ", "connection refused")
	})
	t.Run("fault=backend ignores the caller's X-Request-Id", func(t *testing.T) {
		t.Cleanup(w.Standin.SetFaults(func(f *standin.Faults) { f.RequestIDIgnored = true }))
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.LogAggregation(ct, fast) },
			"GET /health/liveness echoed X-Request-Id ", "log lines cannot be correlated with requests")
	})
}
