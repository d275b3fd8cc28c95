//go:build !prelaunch && !t0 && !day1 && !week1

package launch

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/grafanafake"
	"github.com/hustlexp/launchcheck/fixtures/ops"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/grafana"
	"github.com/hustlexp/launchcheck/internal/specs"
	"github.com/hustlexp/launchcheck/internal/target"
)

func sharedOrSkip(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := specs.Read(rel)
	if err != nil {
		t.Skipf("capture not available: %v", err)
	}
	return b
}

// MON-1 on the backend's real dashboard and the names its real /metrics
// exposes: the panels whose metrics it never emits are named, exactly.
func TestCapturedDashboardPanelsWithoutEmittedMetrics(t *testing.T) {
	d, err := grafana.ParseFile(sharedOrSkip(t, specs.CapturedDashboard))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Families []struct {
			Metric      string   `json:"metric"`
			SampleNames []string `json:"sample_names"`
		} `json:"families"`
	}
	if err := json.Unmarshal(sharedOrSkip(t, specs.CapturedMetricNames), &m); err != nil {
		t.Fatal(err)
	}
	emitted := map[string]bool{}
	for _, f := range m.Families { // declared families count, with or without samples yet
		emitted[f.Metric] = true
		for _, n := range f.SampleNames {
			emitted[n] = true
		}
	}
	if len(emitted) < 30 {
		t.Fatalf("only %d metric names read from the capture", len(emitted))
	}
	got := panelsWithoutEmittedMetrics(d, func(m string) bool { return emitted[m] })
	want := []string{
		`"Active DB Connections" (pg_pool_active_connections)`,
		`"AI Cost (USD/day)" (ai_usage_cost_usd_total)`,
		`"Escrow State Distribution" (escrow_state_count)`,
		`"Circuit Breaker States" (circuit_breaker_state)`,
		`"Task Creation Rate" (tasks_created_total)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("panels without emitted metrics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestExposedNamesCountDeclaredFamilies(t *testing.T) {
	got := exposedNames("# HELP http_requests_total x\n# TYPE http_requests_total counter\n# TYPE lat histogram\nup 1\nproc{a=\"b\"} 2\n")
	for _, n := range []string{"http_requests_total", "lat_bucket", "lat_count", "up", "proc"} {
		if !got[n] {
			t.Errorf("%s not exposed: %v", n, got)
		}
	}
}

// MON-2 on the backend's real rule file: Prometheus rejects it, naming the rule.
func TestCapturedRuleFileRejected(t *testing.T) {
	_, errs := parseRuleFile(sharedOrSkip(t, specs.CapturedAlertRules))
	if len(errs) == 0 || !strings.Contains(strings.Join(errs, "; "), "EscrowStuckInFunded") {
		t.Fatalf("want Prometheus's rejection naming EscrowStuckInFunded, got %v", errs)
	}
}

// Grafana shows only the data-source PromQL of a Grafana-managed rule; the
// old comparison (whole expression) failed on every thresholded rule.
func TestGrafanaManagedQueryComparison(t *testing.T) {
	gs, err := grafanafake.ManagedFromRuleFile(ops.AlertRules, "HustleXP")
	if err != nil {
		t.Fatal(err)
	}
	rgs, errs := parseRuleFile(ops.AlertRules)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	exprs := map[string]string{}
	for _, g := range rgs.Groups {
		for _, r := range g.Rules {
			exprs[r.Alert] = r.Expr
		}
	}
	oldFails := 0
	for _, g := range gs {
		for _, r := range g.Rules {
			q := strings.Join(r.Queries, " | ")
			if !grafanaShowsExpr(q, exprs[r.Title]) {
				t.Errorf("rule %s: Grafana query %q not matched to %q", r.Title, q, exprs[r.Title])
			}
			if !sameExpr(q, exprs[r.Title]) {
				oldFails++
			}
			if grafanaShowsExpr(q+" | up", "up{job=\"other\"} > 1") {
				t.Errorf("rule %s: an unrelated expression matched", r.Title)
			}
		}
	}
	if oldFails == 0 {
		t.Fatal("no rule has a threshold: the test does not exercise the Grafana shape")
	}
	if !grafanaShowsExpr("rate(a[5m]) | sum(b)", "sum(b) > 3") {
		t.Fatal("several data queries joined with ' | ': the second one must match")
	}
}

// MON-2 as the suite runs it (Before → Need → Check) in a live run that has
// the backend's real rule file but no PROMETHEUS_URL: the rejected rule is
// named, not hidden behind the missing variable.
func TestCapturedRuleFileNamedBeforeMissingPrometheus(t *testing.T) {
	path, err := specs.Shared(specs.CapturedAlertRules)
	if err != nil {
		t.Skipf("capture not available: %v", err)
	}
	cfg, err := config.Load(func(k string) string {
		return map[string]string{config.HustlexpTarget: "staging", config.AlertRulesFile: path}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	var row check.Row
	for _, r := range Rows {
		if r.ID == "MON-2" {
			row = r
		}
	}
	env := &target.Env{Cfg: cfg, RunID: "t"}
	checktest.MustFail(t, 10*time.Second, func(ct check.T) { check.RunRow(ct, row, env) },
		"Prometheus would reject", "EscrowStuckInFunded")
}
