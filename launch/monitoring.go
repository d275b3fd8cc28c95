package launch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/grafana"
	"github.com/hustlexp/launchcheck/internal/prom"
	"github.com/hustlexp/launchcheck/internal/target"
)

var promParser = parser.NewParser(parser.Options{})

// opsFile reads one of the backend's ops/ artifacts: the explicit variable,
// else HUSTLEXP_REPO_DIR/<rel> of a checkout tied to the deployed revision
// (checkoutTied). Neither set fails as "not configured".
func opsFile(t check.T, env *target.Env, name, rel string) ([]byte, string) {
	t.Helper()
	path := env.Cfg.Get(name)
	if path == "" && env.Cfg.Get(config.RepoDir) != "" {
		checkoutTied(t, env, rel)
		path = filepath.Join(env.Cfg.Get(config.RepoDir), rel)
	}
	if path == "" {
		check.NotConfigured(t, env.Cfg, fmt.Sprintf("%s (or %s with %s) not set", name, config.RepoDir, rel))
		return nil, ""
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v (set %s or %s to a checkout of the backend)", rel, err, name, config.RepoDir)
	}
	return data, path
}

// promClient returns the Prometheus client of the target (PROMETHEUS_URL).
// prom.New fails only on an address url.Parse rejects, and the
// configuration admits only parsed http(s) URLs for PROMETHEUS_URL, so its
// error cannot happen here: a dead Prometheus fails on the first call.
func promClient(t check.T, env *target.Env) *prom.Client {
	t.Helper()
	check.Need(t, env.Cfg, config.PrometheusURL)
	c, _ := prom.New(env.Cfg.Get(config.PrometheusURL), env.Cfg.Get(config.PrometheusToken), env.Cfg.Duration(config.HTTPTimeout))
	return c
}

// DashboardImported checks MON-1: Grafana dashboard imported (`ops/grafana/dashboard.json`).
// First, without Grafana: every panel of the file reads metrics the backend
// emits on its own /metrics (panels that never can show data are named).
// Then the dashboard with the file's uid exists, its panels match the file
// (titles and queries), and every panel query parses and returns series.
func DashboardImported(t check.T, env *target.Env) {
	t.Helper()
	data, path := opsFile(t, env, config.DashboardFile, DashboardPath)
	want, err := grafana.ParseFile(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	ctx := check.Ctx(t, env.Cfg)
	check.Need(t, env.Cfg, config.BaseURL, config.InternalAPIKey)
	if emitted, err := emittedMetrics(ctx, env); err != nil {
		t.Errorf("the backend's /metrics could not be read, so the panels' metrics cannot be compared with what it emits: %v", err)
	} else if dead := panelsWithoutEmittedMetrics(want, emittedOrScraped(ctx, env, emitted)); len(dead) > 0 {
		t.Errorf("%s: %d of %d panels read metrics the backend never emits on /metrics (nor has Prometheus any series of them), so they can never show data: %s",
			path, len(dead), len(want.QueryPanels()), strings.Join(dead, "; "))
	}
	check.Need(t, env.Cfg, config.GrafanaURL, config.GrafanaToken, config.PrometheusURL)
	gc := grafana.New(env.Cfg.Get(config.GrafanaURL), env.Cfg.Get(config.GrafanaToken), env.Cfg.Duration(config.HTTPTimeout))
	got, err := gc.Dashboard(ctx, want.UID)
	if errors.Is(err, grafana.ErrNotFound) {
		t.Fatalf("Grafana has no dashboard with uid %q (%q): dashboard missing — import %s with POST /api/dashboards/db", want.UID, want.Title, DashboardPath)
	}
	if err != nil {
		t.Fatalf("%v", err)
	}
	check.Evidence(t, "dashboard", fmt.Sprintf("%s %q version %d", want.UID, got.Dashboard.Title, got.Meta.Version))
	if diff := panelDiff(want, got.Dashboard); len(diff) > 0 {
		t.Errorf("Grafana dashboard %s differs from %s (re-import the file): %s", want.UID, DashboardPath, strings.Join(diff, "; "))
	}
	empty := emptyPanels(t, ctx, promClient(t, env), want)
	check.Evidence(t, "panels", fmt.Sprintf("%d with queries, %d empty", len(want.QueryPanels()), len(empty)))
	if len(empty) > 0 {
		t.Errorf("panels with no data in Prometheus over the last hour (a query on a metric nobody emits?): %s", strings.Join(empty, "; "))
	}
}

// panelDiff compares titles and queries of the file's panels with Grafana's.
func panelDiff(want, got *grafana.Dashboard) []string {
	var diff []string
	if want.Title != got.Title {
		diff = append(diff, fmt.Sprintf("title %q, file says %q", got.Title, want.Title))
	}
	have := map[string][]string{}
	for _, p := range got.QueryPanels() {
		have[p.Title] = normExprs(p.Exprs())
	}
	for _, p := range want.QueryPanels() {
		g, ok := have[p.Title]
		if !ok {
			diff = append(diff, fmt.Sprintf("panel %q missing", p.Title))
			continue
		}
		if w := normExprs(p.Exprs()); strings.Join(w, "\n") != strings.Join(g, "\n") {
			diff = append(diff, fmt.Sprintf("panel %q queries %q, file says %q", p.Title, g, w))
		}
	}
	return diff
}

func normExprs(es []string) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = strings.Join(strings.Fields(e), " ")
	}
	sort.Strings(out)
	return out
}

// emptyPanels parses every panel query as PromQL and runs it over the last
// hour; it returns "title: why" for each panel without any series.
func emptyPanels(t check.T, ctx context.Context, pc *prom.Client, d *grafana.Dashboard) []string {
	t.Helper()
	var empty []string
	end := time.Now()
	for _, p := range d.QueryPanels() {
		var why []string
		series := 0
		for _, e := range p.Exprs() {
			q := grafana.Expand(e)
			if _, err := promParser.ParseExpr(q); err != nil {
				t.Errorf("panel %q: query %q is not valid PromQL: %v", p.Title, e, err)
				continue
			}
			m, err := pc.QueryRange(ctx, q, end.Add(-time.Hour), end, time.Minute)
			if err != nil {
				t.Errorf("panel %q: %v", p.Title, err)
				continue
			}
			if len(m) == 0 {
				why = append(why, fmt.Sprintf("%s returns no series", q))
			}
			series += len(m)
		}
		if series == 0 {
			empty = append(empty, fmt.Sprintf("%q (%s)", p.Title, strings.Join(why, ", ")))
		}
	}
	return empty
}

// ruleSelector is one metric selector of a rule expression.
type ruleSelector struct {
	rule, metric string
	labels       []string // label names the selector filters on
}

// parseRuleFile parses a Prometheus rule file exactly as Prometheus does
// (rulefmt, PromQL included); each error names the group and rule.
func parseRuleFile(data []byte) (*rulefmt.RuleGroups, []string) {
	rgs, errs := rulefmt.Parse(data, false, model.UTF8Validation, promParser, slog.New(slog.DiscardHandler))
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	return rgs, msgs
}

// selectorsOf lists the metric selectors of a rule expression. The
// expressions reach it parsed already: alertRuleFile fails on any rule
// rulefmt (the same promParser) rejects, so an expression that did not
// parse has no selectors rather than an error nobody could cause.
func selectorsOf(rule, expr string) []ruleSelector {
	e, err := promParser.ParseExpr(expr)
	if err != nil {
		return nil
	}
	var out []ruleSelector
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		s := ruleSelector{rule: rule, metric: vs.Name}
		for _, m := range vs.LabelMatchers {
			if m.Name == labels.MetricName {
				if s.metric == "" && m.Type == labels.MatchEqual {
					s.metric = m.Value
				}
				continue
			}
			s.labels = append(s.labels, m.Name)
		}
		out = append(out, s)
		return nil
	})
	return out
}

// AlertRulesDeployed checks MON-2: Alert rules deployed (`ops/alerts/critical.yml`).
// The file parses as Prometheus parses it, the group and every rule are
// loaded with health ok, and every metric and label a rule filters on exists.
func AlertRulesDeployed(t check.T, env *target.Env) {
	t.Helper()
	rgs, path := alertRuleFile(t, env)
	check.Need(t, env.Cfg, config.PrometheusURL)
	groupName := env.Cfg.Get(config.AlertRuleGroup)
	var group *rulefmt.RuleGroup
	for i := range rgs.Groups {
		if rgs.Groups[i].Name == groupName {
			group = &rgs.Groups[i]
		}
	}
	if group == nil || len(group.Rules) == 0 {
		t.Fatalf("%s has no rule group %q with rules (%s)", path, groupName, config.AlertRuleGroup)
	}
	pc := promClient(t, env)
	ctx := check.Ctx(t, env.Cfg)
	checkRulesLoaded(t, ctx, env, pc, group)
	checkRuleInputsExist(t, ctx, pc, group)
}

// AlertRuleFileParses is MON-2's first stage (its row's Before): the rule
// file parses as Prometheus parses it. It needs no server, so a live run
// without PROMETHEUS_URL still names the rule Prometheus would reject.
func AlertRuleFileParses(t check.T, env *target.Env) {
	t.Helper()
	if env.Cfg.Get(config.AlertRulesFile) == "" && env.Cfg.Get(config.RepoDir) == "" {
		return // Need names the missing location
	}
	alertRuleFile(t, env)
}

func alertRuleFile(t check.T, env *target.Env) (*rulefmt.RuleGroups, string) {
	t.Helper()
	data, path := opsFile(t, env, config.AlertRulesFile, AlertRulesPath)
	rgs, errs := parseRuleFile(data)
	if len(errs) > 0 {
		t.Fatalf("%s: Prometheus would reject this rule file: %s", path, strings.Join(errs, "; "))
	}
	return rgs, path
}

// grafanaRules is Grafana alerting's Prometheus-compatible rules API
// (GET /api/prometheus/grafana/api/v1/rules), for rules provisioned in
// Grafana instead of Prometheus.
func grafanaRules(env *target.Env) (*prom.Client, bool) {
	if env.Cfg.Get(config.GrafanaURL) == "" || env.Cfg.Get(config.GrafanaToken) == "" {
		return nil, false
	}
	c, err := prom.New(strings.TrimRight(env.Cfg.Get(config.GrafanaURL), "/")+"/api/prometheus/grafana", env.Cfg.Get(config.GrafanaToken), env.Cfg.Duration(config.HTTPTimeout))
	return c, err == nil
}

// checkRulesLoaded compares the file's group with the loaded rules of
// Prometheus (/api/v1/rules), or else of Grafana alerting.
func checkRulesLoaded(t check.T, ctx context.Context, env *target.Env, pc *prom.Client, group *rulefmt.RuleGroup) {
	t.Helper()
	res, err := pc.Rules(ctx)
	if err != nil {
		t.Fatalf("%v", err)
	}
	source := "Prometheus"
	if !hasGroup(res, group.Name) {
		if gc, ok := grafanaRules(env); ok {
			if gres, gerr := gc.Rules(ctx); gerr == nil && hasGroup(gres, group.Name) {
				res, source = gres, "Grafana alerting"
			}
		}
	}
	check.Evidence(t, "rules_source", source)
	loaded := map[string]struct{ health, lastError, query string }{}
	found := false
	for _, g := range res.Groups {
		if g.Name != group.Name {
			continue
		}
		found = true
		for _, r := range g.Rules {
			name, health, lastErr, query := ruleInfo(r)
			loaded[name] = struct{ health, lastError, query string }{health, lastErr, query}
		}
	}
	if !found {
		t.Fatalf("rule group %q is not loaded in Prometheus (GET /api/v1/rules lists %d other groups) nor in Grafana alerting: add %s to rule_files and reload", group.Name, len(res.Groups), AlertRulesPath)
	}
	for _, r := range group.Rules {
		name := r.Alert
		if name == "" {
			name = r.Record
		}
		l, ok := loaded[name]
		switch {
		case !ok:
			t.Errorf("rule %q of group %q is not loaded in Prometheus (an older file is deployed?)", name, group.Name)
		case l.health != "ok":
			t.Errorf("rule %q health %q, want ok: %s", name, l.health, l.lastError)
		case source == "Grafana alerting" && !grafanaShowsExpr(l.query, r.Expr):
			t.Errorf("rule %q: Grafana's data-source queries %q match neither the file's expression %q nor its query without the threshold %q", name, l.query, strings.TrimSpace(r.Expr), dataQuery(r.Expr))
		case source != "Grafana alerting" && !sameExpr(l.query, r.Expr):
			t.Errorf("rule %q deployed query %q differs from the file's %q", name, l.query, strings.TrimSpace(r.Expr))
		}
	}
	check.Evidence(t, "rules_loaded", fmt.Sprintf("%s: %d/%d", group.Name, len(loaded), len(group.Rules)))
}

func ruleInfo(r any) (name, health, lastError, query string) {
	switch x := r.(type) {
	case promv1.AlertingRule:
		return x.Name, string(x.Health), x.LastError, x.Query
	case promv1.RecordingRule:
		return x.Name, string(x.Health), x.LastError, x.Query
	}
	return "", "", "", ""
}

// grafanaShowsExpr compares what Grafana can show of a Grafana-managed
// rule (its data-source queries joined with " | "; the threshold is a
// separate Grafana expression that never appears) with the file's rule:
// one data query is the whole expression, or the expression without its
// top-level comparison with a number.
func grafanaShowsExpr(query, fileExpr string) bool {
	data := dataQuery(fileExpr)
	for _, q := range strings.Split(query, " | ") {
		if sameExpr(q, fileExpr) || sameExpr(q, data) {
			return true
		}
	}
	return false
}

// dataQuery is expr without a top-level comparison with a number (the
// part Grafana runs on the data source; the threshold is Grafana's).
func dataQuery(expr string) string {
	e, err := promParser.ParseExpr(expr)
	if err != nil {
		return strings.TrimSpace(expr)
	}
	for {
		p, ok := e.(*parser.ParenExpr)
		if !ok {
			break
		}
		e = p.Expr
	}
	if b, ok := e.(*parser.BinaryExpr); ok && b.Op.IsComparisonOperator() {
		r := b.RHS
		for {
			p, ok := r.(*parser.ParenExpr)
			if !ok {
				break
			}
			r = p.Expr
		}
		if _, ok := r.(*parser.NumberLiteral); ok {
			return b.LHS.String()
		}
	}
	return e.String()
}

func sameExpr(a, b string) bool {
	ea, err1 := promParser.ParseExpr(a)
	eb, err2 := promParser.ParseExpr(b)
	if err1 != nil || err2 != nil {
		return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
	}
	return ea.String() == eb.String()
}

// checkRuleInputsExist verifies every metric a rule reads exists in
// Prometheus with every label the rule filters on, and that every alert
// carries a severity label (else Alertmanager cannot route it).
func checkRuleInputsExist(t check.T, ctx context.Context, pc *prom.Client, group *rulefmt.RuleGroup) {
	t.Helper()
	end := time.Now()
	labelsOf := map[string]map[string]bool{} // metric → label names seen
	for _, r := range group.Rules {
		name := r.Alert + r.Record
		if r.Alert != "" && r.Labels["severity"] == "" {
			t.Errorf("alert %q has no severity label: Alertmanager cannot route it to PagerDuty or Slack", name)
		}
		for _, s := range selectorsOf(name, r.Expr) {
			if s.metric == "" {
				continue
			}
			names, ok := labelsOf[s.metric]
			if !ok {
				series, err := pc.Series(ctx, []string{fmt.Sprintf("{__name__=%q}", s.metric)}, end.Add(-24*time.Hour), end)
				if err != nil {
					t.Errorf("rule %q: %v", name, err)
					continue
				}
				names = map[string]bool{}
				for _, ls := range series {
					for k := range ls {
						names[string(k)] = true
					}
				}
				labelsOf[s.metric] = names
			}
			if len(names) == 0 {
				t.Errorf("alert %q reads metric %s, which has no series in the last 24 h: the alert can never fire (is it emitted and scraped?)", name, s.metric)
				continue
			}
			for _, l := range s.labels {
				if !names[l] {
					t.Errorf("alert %q filters %s on label %q, which the target never emits (labels: %s): the alert can never fire", name, s.metric, l, monSortedKeys(names))
				}
			}
		}
	}
	check.Evidence(t, "rule_metrics", monSortedKeys(labelsOf))
}

func monSortedKeys[V any](m map[string]V) string {
	out := make([]string, 0, len(m))
	for k := range m {
		if k != labels.MetricName {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// monReadFile reads path; an empty path is no file and no error.
func monReadFile(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	return os.ReadFile(path)
}

func hasGroup(res promv1.RulesResult, name string) bool {
	for _, g := range res.Groups {
		if g.Name == name {
			return true
		}
	}
	return false
}
