package launch

import (
	"bufio"
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/prom"

	"github.com/hustlexp/launchcheck/internal/grafana"
	"github.com/hustlexp/launchcheck/internal/hxapi"
	"github.com/hustlexp/launchcheck/internal/target"
)

// emittedMetrics fetches the target's own /metrics (INTERNAL_API_KEY) and
// returns the metric names it exposes (see exposedNames).
func emittedMetrics(ctx context.Context, env *target.Env) (map[string]bool, error) {
	text, _, err := hxapi.New(env).Metrics(ctx)
	if err != nil {
		return nil, err
	}
	return exposedNames(text), nil
}

// exposedNames reads a Prometheus text exposition: the name of every
// sample line, and every declared family (# TYPE / # HELP) with the sample
// names its type implies (a histogram's _bucket/_sum/_count), since a
// labelled family has no samples until the first event but is emitted.
func exposedNames(text string) map[string]bool {
	out := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "#") {
			f := strings.Fields(l)
			if len(f) >= 3 && (f[1] == "TYPE" || f[1] == "HELP") {
				out[f[2]] = true
				if f[1] == "TYPE" && len(f) >= 4 {
					for _, suf := range familySuffixes[f[3]] {
						out[f[2]+suf] = true
					}
				}
			}
			continue
		}
		if i := strings.IndexAny(l, "{ "); i > 0 {
			out[l[:i]] = true
		}
	}
	return out
}

var familySuffixes = map[string][]string{
	"histogram": {"_bucket", "_sum", "_count"},
	"summary":   {"_sum", "_count"},
}

// emittedOrScraped reports a metric as emitted when the backend's /metrics
// exposes it, or else, when Prometheus is configured, when Prometheus has
// series of it in the last 24 h (a labelled family of a Go client has no
// line until its first sample; an exporter beside the backend may feed a
// panel). Prometheus errors leave only /metrics as the judge.
func emittedOrScraped(ctx context.Context, env *target.Env, exposed map[string]bool) func(string) bool {
	var pc *prom.Client
	if u := env.Cfg.Get(config.PrometheusURL); u != "" {
		pc, _ = prom.New(u, env.Cfg.Get(config.PrometheusToken), env.Cfg.Duration(config.HTTPTimeout))
	}
	end := time.Now()
	return func(m string) bool {
		if exposed[m] {
			return true
		}
		if pc == nil {
			return false
		}
		series, err := pc.Series(ctx, []string{fmt.Sprintf("{__name__=%q}", m)}, end.Add(-24*time.Hour), end)
		return err == nil && len(series) > 0
	}
}

// panelMetrics returns, per query panel title, the metric names its
// queries read (vector selectors), in order; a query that is not PromQL
// is reported in bad.
func panelMetrics(d *grafana.Dashboard) (metrics map[string][]string, order []string, bad []string) {
	metrics = map[string][]string{}
	for _, p := range d.QueryPanels() {
		order = append(order, p.Title)
		seen := map[string]bool{}
		for _, e := range p.Exprs() {
			ex, err := promParser.ParseExpr(grafana.Expand(e))
			if err != nil {
				bad = append(bad, fmt.Sprintf("panel %q: query %q is not valid PromQL: %v", p.Title, e, err))
				continue
			}
			parser.Inspect(ex, func(n parser.Node, _ []parser.Node) error {
				if vs, ok := n.(*parser.VectorSelector); ok && vs.Name != "" && !seen[vs.Name] {
					seen[vs.Name] = true
					metrics[p.Title] = append(metrics[p.Title], vs.Name)
				}
				return nil
			})
		}
	}
	return metrics, order, bad
}

// panelsWithoutEmittedMetrics names every panel that reads a metric the
// backend never emits: `"title" (metric, …)`.
func panelsWithoutEmittedMetrics(d *grafana.Dashboard, emitted func(metric string) bool) []string {
	metrics, order, _ := panelMetrics(d)
	var out []string
	for _, title := range order {
		var missing []string
		for _, m := range metrics[title] {
			if !emitted(m) {
				missing = append(missing, m)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			out = append(out, fmt.Sprintf("%q (%s)", title, strings.Join(missing, ", ")))
		}
	}
	return out
}
