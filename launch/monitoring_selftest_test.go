//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/alertmanagerfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/grafanafake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/logsinkfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/pagerdutyfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/promfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/railwayfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/sentryfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/slackfake"
	"github.com/hustlexp/launchcheck/fixtures/ops"
	"github.com/hustlexp/launchcheck/fixtures/standin"
	"github.com/hustlexp/launchcheck/internal/alertmanager"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/specs"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/launch"
)

const monTimeout = 60 * time.Second

// writeTemp writes data to a file in a test temp dir and returns its path.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// sharedFile is the path of rel in ../shared, or skips saying why.
func sharedFile(t *testing.T, rel string) string {
	t.Helper()
	p, err := specs.Shared(rel)
	if err != nil {
		t.Skipf("cannot judge the captured file: %v", err)
	}
	return p
}

// privateGrafana starts a Grafana fake holding payload (nil: no dashboard).
func privateGrafana(t *testing.T, payload []byte) *grafanafake.Fake {
	t.Helper()
	return grafanafake.Run(t, harness.RehearsalGrafanaToken, grafanafake.WithDashboard(payload))
}

// privateProm starts a Prometheus fake with two hours of healthy traffic
// and the given rule file loaded (nil: no rules).
func privateProm(t *testing.T, rules []byte) *promfake.Fake {
	t.Helper()
	p := promfake.Run(t, promfake.With(promfake.Options{History: 2 * time.Hour}))
	if rules != nil {
		if err := p.LoadRules("critical.yml", rules); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func TestSelfMON1(t *testing.T) {
	_, env := harness.World(t)
	checktest.MustPass(t, monTimeout, func(ct check.T) { launch.DashboardImported(ct, env) })
	t.Run("fault=dashboard missing", func(t *testing.T) {
		g := privateGrafana(t, nil)
		bad := env.MustWith(map[string]string{config.GrafanaURL: g.URL})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.DashboardImported(ct, bad) }, "no dashboard with uid", "hustlexp-prod-overview", "dashboard missing")
	})
	t.Run("fault=panel queries a metric nobody emits", func(t *testing.T) {
		payload := []byte(strings.Replace(string(ops.Dashboard), "max by (instance) (nodejs_heap_size_used_bytes)", "max by (instance) (nodejs_heap_total_bytes_typo)", 1))
		g := privateGrafana(t, payload)
		bad := env.MustWith(map[string]string{config.GrafanaURL: g.URL, config.DashboardFile: writeTemp(t, "dashboard.json", payload)})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.DashboardImported(ct, bad) }, `"Node heap used"`, "no data", "nodejs_heap_total_bytes_typo")
	})
	t.Run("fault=all panels empty", func(t *testing.T) {
		payload := []byte(strings.ReplaceAll(string(ops.Dashboard), "http_request", "hustlexp_http_request"))
		payload = []byte(strings.ReplaceAll(string(payload), "nodejs_heap", "hx_nodejs_heap"))
		payload = []byte(strings.ReplaceAll(string(payload), "process_cpu", "hx_process_cpu"))
		g := privateGrafana(t, payload)
		bad := env.MustWith(map[string]string{config.GrafanaURL: g.URL, config.DashboardFile: writeTemp(t, "dashboard.json", payload)})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.DashboardImported(ct, bad) }, "Request rate by route", "Error rate (5xx %)", "CPU (user)")
	})
	t.Run("fault=the backend's own dashboard.json (captured), Grafana unreachable", func(t *testing.T) {
		file := sharedFile(t, specs.CapturedDashboard)
		bad := env.MustWith(map[string]string{config.DashboardFile: file, config.GrafanaURL: "http://127.0.0.1:1"})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.DashboardImported(ct, bad) },
			"never emits", `"Active DB Connections" (pg_pool_active_connections)`, `"AI Cost (USD/day)"`, `"Escrow State Distribution"`,
			`"Circuit Breaker States"`, `"Task Creation Rate" (tasks_created_total)`)
	})
	t.Run("fault=Grafana panel differs from the file", func(t *testing.T) {
		stale := []byte(strings.Replace(string(ops.Dashboard), `"title": "Latency P50 / P99"`, `"title": "Latency"`, 1))
		g := privateGrafana(t, stale)
		bad := env.MustWith(map[string]string{config.GrafanaURL: g.URL})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.DashboardImported(ct, bad) }, `panel "Latency P50 / P99" missing`)
	})
	t.Run("fault=panel query is not PromQL", func(t *testing.T) {
		payload := []byte(strings.Replace(string(ops.Dashboard), "sum by (route) (rate(http_requests_total[5m]))", "sum by (route) (rate(http_requests_total[5m])", 1))
		g := privateGrafana(t, payload)
		bad := env.MustWith(map[string]string{config.GrafanaURL: g.URL, config.DashboardFile: writeTemp(t, "dashboard.json", payload)})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.DashboardImported(ct, bad) }, `"Request rate by route"`, "not valid PromQL")
	})
	t.Run("fault=wrong Grafana token", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.GrafanaToken: "wrong-token"})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.DashboardImported(ct, bad) }, "= 401")
	})
	t.Run("fault=live run without Grafana credentials", func(t *testing.T) {
		live := env.MustWith(map[string]string{config.HustlexpTarget: "production", config.GrafanaToken: "", config.PrometheusURL: ""})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.DashboardImported(ct, live) }, "live config incomplete", "GRAFANA_TOKEN", "PROMETHEUS_URL")
	})
}

func TestSelfMON2(t *testing.T) {
	_, env := harness.World(t)
	checktest.MustPass(t, monTimeout, func(ct check.T) { launch.AlertRulesDeployed(ct, env) })
	rules := string(ops.AlertRules)
	t.Run("fault=PromQL type error in the rule file", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.AlertRulesFile: writeTemp(t, "critical.yml",
			[]byte(strings.Replace(rules, "nodejs_heap_size_used_bytes) > 1.5e9", `nodejs_heap_size_used_bytes) > "1.5GB"`, 1)))})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.AlertRulesDeployed(ct, bad) }, "Prometheus would reject", "HustleXPHeapHigh", "parse error")
	})
	t.Run("fault=rule filters on a label the target does not emit", func(t *testing.T) {
		file := []byte(strings.Replace(rules, `http_requests_total{status_code="429"}`, `http_requests_total{status_code="429", path=~"/trpc/.*"}`, 1))
		p := privateProm(t, file)
		bad := env.MustWith(map[string]string{config.PrometheusURL: p.URL, config.AlertRulesFile: writeTemp(t, "critical.yml", file)})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.AlertRulesDeployed(ct, bad) }, "HustleXPRateLimitSpike", `label "path"`, "never emits")
	})
	t.Run("fault=rule reads a metric nobody emits", func(t *testing.T) {
		file := []byte(strings.Replace(rules, "max by (instance) (nodejs_heap_size_used_bytes)", "max by (instance) (db_connections_active)", 1))
		p := privateProm(t, file)
		bad := env.MustWith(map[string]string{config.PrometheusURL: p.URL, config.AlertRulesFile: writeTemp(t, "critical.yml", file)})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.AlertRulesDeployed(ct, bad) }, "HustleXPHeapHigh", "db_connections_active", "can never fire")
	})
	t.Run("fault=group not loaded", func(t *testing.T) {
		p := privateProm(t, nil)
		bad := env.MustWith(map[string]string{config.PrometheusURL: p.URL})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.AlertRulesDeployed(ct, bad) }, `"hustlexp.critical" is not loaded`)
	})
	t.Run("rules provisioned in Grafana alerting", func(t *testing.T) {
		// Grafana's shape: `query` holds only the data-source PromQL (no
		// threshold); the old comparison with the whole expression failed here.
		empty := privateProm(t, nil)
		g := privateGrafana(t, ops.Dashboard)
		managed, err := grafanafake.ManagedFromRuleFile(ops.AlertRules, "HustleXP")
		if err != nil {
			t.Fatal(err)
		}
		g.SetManagedRules(managed)
		alt := env.MustWith(map[string]string{config.PrometheusURL: empty.URL, config.GrafanaURL: g.URL})
		r := checktest.MustPass(t, monTimeout, func(ct check.T) { launch.AlertRulesDeployed(ct, alt) })
		if got := r.Attrs[check.AttrEvidence+"rules_source"]; got != "Grafana alerting" {
			t.Fatalf("rules_source %q", got)
		}
		stale, err := grafanafake.ManagedFromRuleFile([]byte(strings.Replace(rules, "max by (instance) (nodejs_heap_size_used_bytes)", "max by (instance) (nodejs_heap_size_total_bytes)", 1)), "HustleXP")
		if err != nil {
			t.Fatal(err)
		}
		g.SetManagedRules(stale)
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.AlertRulesDeployed(ct, alt) }, "HustleXPHeapHigh", "Grafana's data-source queries", "nodejs_heap_size_total_bytes")
		g.SetManagedRules(nil)
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.AlertRulesDeployed(ct, alt) }, "nor in Grafana alerting")
	})
	t.Run("fault=the backend's own critical.yml (captured)", func(t *testing.T) {
		file := sharedFile(t, specs.CapturedAlertRules)
		// no Prometheus needed: the file is judged first
		bad := env.MustWith(map[string]string{config.AlertRulesFile: file, config.PrometheusURL: ""})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.AlertRulesDeployed(ct, bad) }, "Prometheus would reject", "EscrowStuckInFunded")
	})
	t.Run("fault=deployed rules older than the file", func(t *testing.T) {
		p := privateProm(t, []byte(strings.Replace(rules, "> 0.01", "> 0.05", 1)))
		bad := env.MustWith(map[string]string{config.PrometheusURL: p.URL})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.AlertRulesDeployed(ct, bad) }, "HustleXPHighErrorRate", "differs from the file")
	})
	t.Run("fault=alert without severity", func(t *testing.T) {
		file := []byte(strings.Replace(rules, "          severity: info\n", "", 1))
		p := privateProm(t, file)
		bad := env.MustWith(map[string]string{config.PrometheusURL: p.URL, config.AlertRulesFile: writeTemp(t, "critical.yml", file)})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.AlertRulesDeployed(ct, bad) }, "HustleXPHeapHigh", "no severity label")
	})
	t.Run("fault=Prometheus unreachable", func(t *testing.T) {
		p := privateProm(t, nil)
		p.SetDown(true)
		bad := env.MustWith(map[string]string{config.PrometheusURL: p.URL})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.AlertRulesDeployed(ct, bad) }, "prometheus rules")
	})
}

func TestSelfMON3(t *testing.T) {
	w, env := harness.World(t)
	checktest.MustPass(t, monTimeout, func(ct check.T) { launch.PagerDutyForP0(ct, env) })
	am, pdf := w.Alertmanager, w.PagerDuty
	t.Run("drill=trigger, see, resolve", func(t *testing.T) {
		drill := env.MustWith(map[string]string{config.AlertDrill: "1"})
		r := checktest.MustPass(t, monTimeout, func(ct check.T) { launch.PagerDutyForP0(ct, drill) })
		found := false
		for _, in := range pdf.Incidents() {
			if strings.Contains(in.Key, env.Tag()) {
				found = true
				if in.Status != "resolved" {
					t.Fatalf("drill incident %s left %s", in.ID, in.Status)
				}
			}
		}
		if !found || r.Attrs[check.AttrEvidence+"drill_incident_after"] == "" || r.Attrs[check.AttrEvidence+"drill_alertmanager_to_pagerduty"] == "" {
			t.Fatalf("drill created no incident tagged %s (evidence %v)", env.Tag(), r.Attrs)
		}
		for _, in := range pdf.Incidents() {
			if strings.Contains(in.Title, env.Tag()) && in.Status != "resolved" {
				t.Fatalf("Alertmanager drill incident %s left %s", in.ID, in.Status)
			}
		}
		if n := activeAlerts(t, am.URL, env.Tag()); n != 0 {
			t.Fatalf("drill left %d alert(s) active in Alertmanager", n)
		}
	})
	t.Run("fault=Alertmanager cannot reach PagerDuty", func(t *testing.T) {
		am.SetDispatcher(nil)
		t.Cleanup(func() {
			am.SetDispatcher(harness.AlertDispatcher(pdf.URL, pagerdutyfake.RoutingKey, w.Slack.URL, harness.RehearsalSlackToken))
		})
		drill := env.MustWith(map[string]string{config.AlertDrill: "1", config.DrillDeadline: "2s"})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.PagerDutyForP0(ct, drill) }, "has not reached PagerDuty")
	})
	t.Run("fault=P0 routed nowhere", func(t *testing.T) {
		am.SetConfig(alertmanagerfake.WithoutPagerDuty())
		t.Cleanup(func() { am.SetConfig(alertmanagerfake.HealthyConfig) })
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.PagerDutyForP0(ct, env) }, "blackhole", "P0 routed nowhere", "HustleXPHighErrorRate")
	})
	t.Run("fault=nobody on call", func(t *testing.T) {
		pdf.Update(func(s *pagerdutyfake.State) { s.OnCall[pagerdutyfake.PolicyID] = nil })
		t.Cleanup(func() {
			pdf.Update(func(s *pagerdutyfake.State) { s.OnCall[pagerdutyfake.PolicyID] = []string{"Rehearsal Engineer"} })
		})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.PagerDutyForP0(ct, env) }, "nobody on call")
	})
	t.Run("fault=service disabled", func(t *testing.T) {
		pdf.Update(func(s *pagerdutyfake.State) { s.Services[pagerdutyfake.ServiceID].Status = "disabled" })
		t.Cleanup(func() {
			pdf.Update(func(s *pagerdutyfake.State) { s.Services[pagerdutyfake.ServiceID].Status = "active" })
		})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.PagerDutyForP0(ct, env) }, `status "disabled"`)
	})
	t.Run("fault=no escalation policy", func(t *testing.T) {
		pdf.Update(func(s *pagerdutyfake.State) { s.Services[pagerdutyfake.ServiceID].PolicyID = "" })
		t.Cleanup(func() {
			pdf.Update(func(s *pagerdutyfake.State) { s.Services[pagerdutyfake.ServiceID].PolicyID = pagerdutyfake.PolicyID })
		})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.PagerDutyForP0(ct, env) }, "no escalation policy")
	})
	t.Run("fault=service id unknown", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.PagerDutyServiceID: "PNOSUCH"})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.PagerDutyForP0(ct, bad) }, "/services/PNOSUCH", "404")
	})
	t.Run("fault=live run without PagerDuty credentials", func(t *testing.T) {
		live := env.MustWith(map[string]string{config.HustlexpTarget: "staging", config.PagerDutyToken: "", config.PagerDutyServiceID: ""})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.PagerDutyForP0(ct, live) }, "PAGERDUTY_TOKEN", "PAGERDUTY_SERVICE_ID")
	})
}

func TestSelfMON4(t *testing.T) {
	w, env := harness.World(t)
	checktest.MustPass(t, monTimeout, func(ct check.T) { launch.SlackForP1P2(ct, env) })
	am, sf := w.Alertmanager, w.Slack
	t.Run("drill=post and delete", func(t *testing.T) {
		drill := env.MustWith(map[string]string{config.AlertDrill: "true"})
		r := checktest.MustPass(t, monTimeout, func(ct check.T) { launch.SlackForP1P2(ct, drill) })
		if r.Attrs[check.AttrEvidence+"drill_message"] == "" || len(sf.Messages("C0ALERTS01")) != 0 {
			t.Fatalf("drill did not post and delete: evidence %v, left %v", r.Attrs, sf.Messages("C0ALERTS01"))
		}
	})
	t.Run("fault=Slack channel missing", func(t *testing.T) {
		sf.Update(func(s *slackfake.State) { s.Channels["C0ALERTS01"].Name = "alerts-old" })
		t.Cleanup(func() { sf.Update(func(s *slackfake.State) { s.Channels["C0ALERTS01"].Name = "alerts" }) })
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SlackForP1P2(ct, env) }, "Slack channel #alerts missing")
	})
	t.Run("fault=bot not in channel", func(t *testing.T) {
		sf.Update(func(s *slackfake.State) { s.Channels["C0ALERTS01"].BotMember = false })
		t.Cleanup(func() { sf.Update(func(s *slackfake.State) { s.Channels["C0ALERTS01"].BotMember = true }) })
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SlackForP1P2(ct, env) }, "not a member of #alerts")
	})
	t.Run("fault=token without chat:write", func(t *testing.T) {
		sf.Update(func(s *slackfake.State) { s.Scopes = []string{"channels:read", "groups:read"} })
		t.Cleanup(func() { sf.Update(func(s *slackfake.State) { s.Scopes = slackfake.Healthy().Scopes }) })
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SlackForP1P2(ct, env) }, "chat:write")
	})
	t.Run("fault=token without groups:read (private channels)", func(t *testing.T) {
		sf.Update(func(s *slackfake.State) { s.Scopes = []string{"channels:read", "chat:write"} })
		t.Cleanup(func() { sf.Update(func(s *slackfake.State) { s.Scopes = slackfake.Healthy().Scopes }) })
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SlackForP1P2(ct, env) }, "missing_scope", "add groups:read")
	})
	t.Run("fault=P1/P2 not routed to Slack", func(t *testing.T) {
		am.SetConfig(alertmanagerfake.WithoutSlack())
		t.Cleanup(func() { am.SetConfig(alertmanagerfake.HealthyConfig) })
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SlackForP1P2(ct, env) }, "ops-email", `severity="warning"`, "#alerts")
	})
	t.Run("fault=invalid token", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.SlackBotToken: "xoxb-wrong"})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SlackForP1P2(ct, bad) }, "invalid_auth")
	})
}

func TestSelfMON5(t *testing.T) {
	w, env := harness.World(t)
	checktest.MustPass(t, monTimeout, func(ct check.T) { launch.SentryConfigured(ct, env) })
	sf := w.Sentry
	mon := func(fn func(m *sentryfake.Monitoring)) { sf.Update(func(s *sentryfake.State) { fn(s.Mon()) }) }
	var saved sentryfake.Monitoring
	sf.View(func(s *sentryfake.State) {
		saved = *s.Mon()
		saved.Rules = append([]sentryfake.AlertRule(nil), saved.Rules...)
		saved.Releases = append([]sentryfake.Release(nil), saved.Releases...)
	})
	restore := func() { mon(func(m *sentryfake.Monitoring) { *m = saved }) }
	// before any drill sends an event: zero events at the default threshold (1)
	t.Run("fault=zero events in 24 h at the default threshold", func(t *testing.T) {
		t.Cleanup(restore)
		mon(func(m *sentryfake.Monitoring) { m.EventsPerHour = 0 })
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SentryConfigured(ct, env) }, "Sentry received 0 events in the last 24 h, want ≥ 1")
	})
	t.Run("fault=every alert rule disabled", func(t *testing.T) {
		t.Cleanup(restore)
		mon(func(m *sentryfake.Monitoring) {
			m.Rules = append([]sentryfake.AlertRule(nil), m.Rules...)
			for i := range m.Rules {
				m.Rules[i].Status = "disabled"
			}
		})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SentryConfigured(ct, env) }, "no active alert rules", `status="disabled"`)
	})
	t.Run("fault=alert rules without a status", func(t *testing.T) {
		t.Cleanup(restore)
		mon(func(m *sentryfake.Monitoring) {
			m.Rules = append([]sentryfake.AlertRule(nil), m.Rules...)
			for i := range m.Rules {
				m.Rules[i].Status = ""
			}
		})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SentryConfigured(ct, env) }, "no active alert rules", `status=""`)
	})
	t.Run("fault=no releases", func(t *testing.T) {
		t.Cleanup(restore)
		mon(func(m *sentryfake.Monitoring) { m.Releases = nil })
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SentryConfigured(ct, env) }, "Sentry project has no releases")
	})
	t.Run("fault=Sentry token revoked", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.SentryAuthToken: "revoked-token"})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SentryConfigured(ct, bad) }, "401")
	})
	t.Run("drill=tagged event found", func(t *testing.T) {
		drill := env.MustWith(map[string]string{config.AlertDrill: "1"})
		r := checktest.MustPass(t, monTimeout, func(ct check.T) { launch.SentryConfigured(ct, drill) })
		if r.Attrs[check.AttrEvidence+"drill_event_after"] == "" {
			t.Fatal("drill reported no delay")
		}
	})
	t.Run("fault=Sentry release differs from the deployed commit", func(t *testing.T) {
		t.Cleanup(restore)
		mon(func(m *sentryfake.Monitoring) {
			m.Releases = append(m.Releases, sentryfake.Release{Version: "hustlexp-engine@" + strings.Repeat("b2", 20), DateCreated: time.Now()})
		})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SentryConfigured(ct, env) }, "latest release", "≠ deployed commit", strings.Repeat("b2", 20))
	})
	t.Run("fault=Railway live commit differs from /health", func(t *testing.T) {
		rw := w.Railway
		var dep *railwayfake.Deployment
		var was string
		rw.Update(func(s *railwayfake.State) {
			for _, d := range s.Deployments {
				if d.Status == railwayfake.StatusSuccess {
					dep = d
				}
			}
			was = dep.CommitHash()
			dep.Meta["commitHash"] = strings.Repeat("c3", 20)
		})
		t.Cleanup(func() { rw.Update(func(*railwayfake.State) { dep.Meta["commitHash"] = was }) })
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SentryConfigured(ct, env) }, "Railway's live deployment is commit c3c3c3c3c3c3")
	})
	t.Run("fault=no alert rules", func(t *testing.T) {
		t.Cleanup(restore)
		mon(func(m *sentryfake.Monitoring) { m.Rules = nil })
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SentryConfigured(ct, env) }, "no active alert rules")
	})
	t.Run("fault=no events in 24 h", func(t *testing.T) {
		t.Cleanup(restore)
		mon(func(m *sentryfake.Monitoring) { m.EventsPerHour = 0 })
		bad := env.MustWith(map[string]string{config.SentryEventsMin: "1000000"})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SentryConfigured(ct, bad) }, "events in the last 24 h, want ≥ 1000000")
	})
	t.Run("fault=drill event never arrives", func(t *testing.T) {
		var was bool
		sf.Update(func(s *sentryfake.State) {
			was, s.Keys[harness.RehearsalSentryProject][0].IsActive = s.Keys[harness.RehearsalSentryProject][0].IsActive, false
		})
		t.Cleanup(func() {
			sf.Update(func(s *sentryfake.State) { s.Keys[harness.RehearsalSentryProject][0].IsActive = was })
		})
		drill := env.MustWith(map[string]string{config.AlertDrill: "1", config.DrillDeadline: "2s"})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.SentryConfigured(ct, drill) }, "drill event", "not found")
	})
}

func TestSelfMON6(t *testing.T) {
	w, env := harness.World(t)
	r := checktest.MustPass(t, monTimeout, func(ct check.T) { launch.LogAggregation(ct, env) })
	if r.Attrs[check.AttrEvidence+"log_delay"] == "" {
		t.Fatal("MON-6 did not report the delay")
	}
	si := w.Standin
	t.Run("fault=request id never appears in logs", func(t *testing.T) {
		restore := si.SetFaults(func(f *standin.Faults) { f.DropLogs = true })
		t.Cleanup(restore)
		bad := env.MustWith(map[string]string{config.LogDeadline: "2s"})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.LogAggregation(ct, bad) }, "never appeared in Railway deployment logs")
	})
	lines := func() []string { return si.Logs() }
	t.Run("external sink", func(t *testing.T) {
		sink := logsinkfake.New("sink-token", lines)
		t.Cleanup(sink.Close)
		ext := env.MustWith(map[string]string{config.LogQueryURL: sink.URL, config.LogQueryToken: "sink-token"})
		checktest.MustPass(t, monTimeout, func(ct check.T) { launch.LogAggregation(ct, ext) })
		sink.SetDelay(time.Hour)
		slow := env.MustWith(map[string]string{config.LogQueryURL: sink.URL, config.LogQueryToken: "sink-token", config.LogDeadline: "2s"})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.LogAggregation(ct, slow) }, "never appeared in log sink")
		wrong := env.MustWith(map[string]string{config.LogQueryURL: sink.URL, config.LogQueryToken: "wrong"})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.LogAggregation(ct, wrong) }, "= 401", "HUSTLEXP_LOG_QUERY_TOKEN")
	})
	t.Run("fault=live run with neither Railway nor a sink", func(t *testing.T) {
		live := env.MustWith(map[string]string{config.HustlexpTarget: "production", config.RailwayToken: ""})
		checktest.MustFail(t, monTimeout, func(ct check.T) { launch.LogAggregation(ct, live) }, "RAILWAY_TOKEN")
	})
}

// activeAlerts counts alerts in Alertmanager whose labels mention tag.
func activeAlerts(t *testing.T, amURL, tag string) int {
	t.Helper()
	as, err := alertmanager.New(amURL, "", 5*time.Second).Alerts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range as {
		if a.Labels["launchcheck_run"] == tag {
			n++
		}
	}
	return n
}

// The alert path end to end on a private chain: generated 5xx traffic and
// slow requests make the rule file's alerts fire in Prometheus, Alertmanager
// routes them, PagerDuty gets the P0 incident and Slack #alerts the P1.
func TestSelfAlertPathEndToEnd(t *testing.T) {
	pdf := pagerdutyfake.Run(t, "pd")
	sf := slackfake.Run(t, "xoxb-e2e")
	am := alertmanagerfake.Run(t)
	am.SetDispatcher(harness.AlertDispatcher(pdf.URL, pagerdutyfake.RoutingKey, sf.URL, "xoxb-e2e"))
	p := promfake.Run(t, promfake.With(promfake.Options{History: 2 * time.Hour, Notify: harness.NotifyAlertmanager(am)}))
	rules := strings.ReplaceAll(string(ops.AlertRules), "interval: 30s", "interval: 1s")
	rules = strings.NewReplacer("for: 5m", "for: 0s", "for: 10m", "for: 0s").Replace(rules)
	if err := p.LoadRules("critical.yml", []byte(rules)); err != nil {
		t.Fatal(err)
	}
	if len(pdf.Incidents()) != 0 || len(sf.Messages("C0ALERTS01")) != 0 {
		t.Fatal("healthy traffic paged someone")
	}
	now := time.Now()
	if err := p.ErrorBurst(0.05, now.Add(-10*time.Minute), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := p.SlowTraffic(2*time.Second, 0.05, now.Add(-10*time.Minute), time.Time{}); err != nil {
		t.Fatal(err)
	}
	err := check.Poll(t.Context(), 20*time.Second, func(context.Context) error {
		paged, posted := false, false
		for _, in := range pdf.Incidents() {
			paged = paged || strings.Contains(in.Title, "HustleXPHighErrorRate")
		}
		for _, m := range sf.Messages("C0ALERTS01") {
			posted = posted || strings.Contains(m.Text, "HustleXPHighLatencyP99")
		}
		if !paged || !posted {
			return fmt.Errorf("paged=%t (incidents %v) posted=%t (messages %v)", paged, pdf.Incidents(), posted, sf.Messages("C0ALERTS01"))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("alert path: %v", err)
	}
	for _, in := range pdf.Incidents() {
		if strings.Contains(in.Title, "HustleXPHighLatencyP99") {
			t.Fatalf("a P1 alert paged PagerDuty: %s", in.Title)
		}
	}
}

// Garbage answers and hosts that never answer fail with a clear error
// within the HTTP deadline, never a panic or a hang.
func TestSelfMonitoringBadInput(t *testing.T) {
	_, env := harness.World(t)
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("<html>502 Bad Gateway</html>"))
	}))
	t.Cleanup(garbage.Close)
	hole, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never answers
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hole.Close() })
	silent := "http://" + hole.Addr().String()
	fast := env.MustWith(map[string]string{config.HTTPTimeout: "1s"})
	for _, tc := range []struct {
		name  string
		check func(check.T, *target.Env)
		kv    map[string]string
		want  []string
	}{
		{"grafana garbage", launch.DashboardImported, map[string]string{config.GrafanaURL: garbage.URL}, []string{"not a dashboard response"}},
		{"grafana silent", launch.DashboardImported, map[string]string{config.GrafanaURL: silent}, []string{"grafana GET", "deadline"}},
		{"prometheus garbage", launch.AlertRulesDeployed, map[string]string{config.PrometheusURL: garbage.URL}, []string{"prometheus rules"}},
		{"prometheus silent", launch.AlertRulesDeployed, map[string]string{config.PrometheusURL: silent}, []string{"prometheus rules"}},
		{"alertmanager garbage", launch.PagerDutyForP0, map[string]string{config.AlertmanagerURL: garbage.URL}, []string{"not the API v2 JSON"}},
		{"alertmanager silent", launch.SlackForP1P2, map[string]string{config.AlertmanagerURL: silent}, []string{"alertmanager GET /api/v2/status"}},
		{"pagerduty silent", launch.PagerDutyForP0, map[string]string{config.PagerDutyAPIURL: silent}, []string{"PagerDuty GET /services"}},
		{"slack garbage", launch.SlackForP1P2, map[string]string{config.SlackAPIURL: garbage.URL + "/"}, []string{"Slack auth.test"}},
		{"sentry silent", launch.SentryConfigured, map[string]string{config.SentryAPIURL: silent}, []string{"sentry"}},
		{"log sink garbage", launch.LogAggregation, map[string]string{config.LogQueryURL: garbage.URL, config.LogDeadline: "1s"}, []string{"never appeared"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := fast.MustWith(tc.kv)
			r := checktest.MustFail(t, 20*time.Second, func(ct check.T) { tc.check(ct, bad) }, tc.want...)
			if r.Elapsed > 10*time.Second {
				t.Fatalf("took %s with a 1s HTTP timeout", r.Elapsed)
			}
		})
	}
}
