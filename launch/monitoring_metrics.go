package launch

import (
	"bufio"
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/hustlexp/launchcheck/internal/grafana"
	"github.com/hustlexp/launchcheck/internal/hxapi"
	"github.com/hustlexp/launchcheck/internal/target"
)

// emittedMetrics fetches the target's own /metrics (INTERNAL_API_KEY) and
// returns the sample names it exposes (a histogram's _bucket/_sum/_count),
// counting only families that have samples.
func emittedMetrics(ctx context.Context, env *target.Env) (map[string]bool, error) {
	text, _, err := hxapi.New(env).Metrics(ctx)
	if err != nil {
		return nil, err
	}
	return exposedSampleNames(text), nil
}

// exposedSampleNames reads a Prometheus text exposition: the metric name of
// every sample line.
func exposedSampleNames(text string) map[string]bool {
	out := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if i := strings.IndexAny(l, "{ "); i > 0 {
			out[l[:i]] = true
		}
	}
	return out
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
func panelsWithoutEmittedMetrics(d *grafana.Dashboard, emitted map[string]bool) []string {
	metrics, order, _ := panelMetrics(d)
	var out []string
	for _, title := range order {
		var missing []string
		for _, m := range metrics[title] {
			if !emitted[m] {
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
