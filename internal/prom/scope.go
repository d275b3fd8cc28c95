package prom

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/hustlexp/launchcheck/internal/config"
)

// DurationSum is the sum series of the backend's latency histogram.
const DurationSum = "http_request_duration_seconds_sum"

// BackendMetrics are the backend's series the suite queries. Their labels
// (method, route, status_code, plus the scrape's job and instance) do not
// say which deployment they come from, so a client built from the
// configuration adds the deployment's matchers (HUSTLEXP_PROM_SELECTOR) to
// every selector of these metrics: without them, one Prometheus scraping
// staging and production sums both.
var BackendMetrics = map[string]bool{
	RequestsMetric: true, DurationBuckets: true, DurationCount: true, DurationSum: true, "up": true,
}

// AutoScope is the HUSTLEXP_PROM_SELECTOR value that scopes to the one
// scrape job exporting http_requests_total.
const AutoScope = "auto"

// ErrAmbiguousScope means several scrape jobs export the backend's series
// and HUSTLEXP_PROM_SELECTOR does not say which one is under test.
var ErrAmbiguousScope = errors.New("several jobs export the backend's metrics")

// Scope is what a client adds to the backend's selectors, and why.
type Scope struct {
	Matchers []*labels.Matcher
	Source   string // where the matchers come from
}

// String shows the matchers and their source, for evidence.
func (s Scope) String() string {
	if len(s.Matchers) == 0 {
		return "unscoped (" + s.Source + ")"
	}
	return matchersString(s.Matchers) + " (" + s.Source + ")"
}

func matchersString(ms []*labels.Matcher) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return "{" + strings.Join(parts, ",") + "}"
}

var promParser = parser.NewParser(parser.Options{})

// ParseSelector parses label matchers (`job="x"` or `{job="x",env="prod"}`),
// with no metric name.
func ParseSelector(s string) ([]*labels.Matcher, error) {
	s = strings.TrimSpace(s)
	ms, err := promParser.ParseMetricSelector(s) // {…} or a whole series selector
	if err != nil && !strings.HasPrefix(s, "{") {
		ms, err = promParser.ParseMetricSelector("{" + s + "}")
	}
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.Name == labels.MetricName {
			return nil, fmt.Errorf("%s: label matchers only, no metric name", m)
		}
	}
	return ms, nil
}

// ScopeQuery returns q with ms added to every vector and matrix selector of
// a BackendMetrics series (named, or by an __name__ matcher that selects
// one); selectors of other metrics are left as they are.
func ScopeQuery(q string, ms []*labels.Matcher) (string, error) {
	if len(ms) == 0 {
		return q, nil
	}
	e, err := promParser.ParseExpr(q)
	if err != nil {
		return "", fmt.Errorf("prometheus query %s: %v", q, err)
	}
	changed := false
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok || !selectsBackend(vs) {
			return nil
		}
		for _, m := range ms {
			if !hasMatcher(vs.LabelMatchers, m) {
				vs.LabelMatchers = append(vs.LabelMatchers, m)
				changed = true
			}
		}
		return nil
	})
	if !changed {
		return q, nil
	}
	return e.String(), nil
}

func selectsBackend(vs *parser.VectorSelector) bool {
	if vs.Name != "" {
		return BackendMetrics[vs.Name]
	}
	for _, m := range vs.LabelMatchers {
		if m.Name != labels.MetricName {
			continue
		}
		for name := range BackendMetrics {
			if m.Matches(name) {
				return true
			}
		}
	}
	return false
}

func hasMatcher(have []*labels.Matcher, m *labels.Matcher) bool {
	for _, h := range have {
		if h.Name == m.Name && h.Type == m.Type && h.Value == m.Value {
			return true
		}
	}
	return false
}

// lookback is how far before its evaluation time q reads samples: its
// longest range or subquery plus its longest offset plus the 5-minute
// lookback of instant selectors.
func lookback(q string) time.Duration {
	e, err := promParser.ParseExpr(q)
	if err != nil {
		return 5 * time.Minute
	}
	var rng, off time.Duration
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		switch x := n.(type) {
		case *parser.MatrixSelector:
			rng = max(rng, x.Range)
		case *parser.SubqueryExpr:
			rng = max(rng, x.Range)
			off = max(off, x.OriginalOffset)
		case *parser.VectorSelector:
			off = max(off, x.OriginalOffset)
		}
		return nil
	})
	return rng + off + 5*time.Minute
}

// Scope returns the matchers this client adds to the backend's selectors
// for data in [start, end]: HUSTLEXP_PROM_SELECTOR, or with "auto" the one
// scrape job exporting http_requests_total in that span (none: no such
// series with a job label, nothing to tell apart). Several jobs and no selector is
// ErrAmbiguousScope, naming the jobs and the variable. A client made by New
// is not scoped.
func (c *Client) Scope(ctx context.Context, start, end time.Time) (Scope, error) {
	if !c.scoped {
		return Scope{Source: "client not built from the configuration"}, nil
	}
	if sel := strings.TrimSpace(c.selector); sel != "" && sel != AutoScope {
		ms, err := ParseSelector(sel)
		if err != nil {
			return Scope{}, fmt.Errorf("%s=%q does not parse as label matchers (e.g. job=\"hustlexp-production\"): %v", config.PromSelector, c.selector, err)
		}
		return Scope{Matchers: ms, Source: config.PromSelector}, nil
	}
	key := [2]int64{start.Unix(), end.Unix()}
	c.mu.Lock()
	s, ok := c.scopes[key]
	c.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := c.discoverScope(ctx, start, end)
	if err != nil {
		return Scope{}, err
	}
	c.mu.Lock()
	if c.scopes == nil {
		c.scopes = map[[2]int64]Scope{}
	}
	c.scopes[key] = s
	c.mu.Unlock()
	return s, nil
}

func (c *Client) discoverScope(ctx context.Context, start, end time.Time) (Scope, error) {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	vs, _, _, err := c.API.LabelValues(ctx, "job", []string{RequestsMetric}, start, end)
	if err != nil {
		return Scope{}, c.wrap(fmt.Sprintf("jobs exporting %s (%s=%s)", RequestsMetric, config.PromSelector, AutoScope), err)
	}
	jobs := make([]string, len(vs))
	for i, v := range vs {
		jobs[i] = string(v)
	}
	sort.Strings(jobs)
	span := start.UTC().Format(time.RFC3339) + " – " + end.UTC().Format(time.RFC3339)
	switch len(jobs) {
	case 0:
		return Scope{Source: "no " + RequestsMetric + " series with a job label " + span}, nil
	case 1:
		m := labels.MustNewMatcher(labels.MatchEqual, "job", jobs[0])
		return Scope{Matchers: []*labels.Matcher{m}, Source: "the only job exporting " + RequestsMetric + ", " + config.PromSelector + "=" + AutoScope}, nil
	}
	return Scope{}, fmt.Errorf("%w: Prometheus at %s has %s from %d jobs (%s) %s, which every query would sum: set %s to the deployment under test's label matchers, e.g. job=%q",
		ErrAmbiguousScope, c.URL, RequestsMetric, len(jobs), strings.Join(jobs, ", "), span, config.PromSelector, jobs[0])
}

// scope rewrites q for data in [start, end] (see Scope).
func (c *Client) scope(ctx context.Context, q string, start, end time.Time) (string, error) {
	if !c.scoped || !readsBackend(q) {
		return q, nil
	}
	s, err := c.Scope(ctx, start, end)
	if err != nil {
		return "", err
	}
	return ScopeQuery(q, s.Matchers)
}

// readsBackend says whether q selects any backend series (a query that
// does not parse is left for Prometheus to refuse).
func readsBackend(q string) bool {
	e, err := promParser.ParseExpr(q)
	if err != nil {
		return false
	}
	found := false
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok && selectsBackend(vs) {
			found = true
		}
		return nil
	})
	return found
}

// scopeAll scopes series selectors (the series API's match[]).
func (c *Client) scopeAll(ctx context.Context, match []string, start, end time.Time) ([]string, error) {
	out := make([]string, len(match))
	for i, m := range match {
		s, err := c.scope(ctx, m, start, end)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}
