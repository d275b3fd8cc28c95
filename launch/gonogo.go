package launch

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/hustlexp/launchcheck/internal/alertmanager"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/hxapi"
	"github.com/hustlexp/launchcheck/internal/prom"
	"github.com/hustlexp/launchcheck/internal/replicas"
	"github.com/hustlexp/launchcheck/internal/target"
)

// gngProm returns a Prometheus client after checking the configuration,
// and records which deployment its queries are scoped to
// (HUSTLEXP_PROM_SELECTOR, or the one job exporting http_requests_total in
// the window): with several jobs and no selector, every sum would mix them.
func gngProm(t check.T, env *target.Env) (*prom.Client, context.Context) {
	t.Helper()
	check.Need(t, env.Cfg, config.PrometheusURL)
	c, ctx := prom.FromConfig(env.Cfg), check.Ctx(t, env.Cfg)
	now := time.Now()
	scope, err := c.Scope(ctx, now.Add(-env.Cfg.Duration(config.GNGWindow)-5*time.Minute), now)
	if err != nil {
		t.Fatalf("Prometheus scope: %v", err)
	}
	check.Evidence(t, "prometheus_scope", scope.String())
	return c, ctx
}

// enoughTraffic fails the check as unverified when the window holds fewer
// than HUSTLEXP_MIN_REQUESTS requests, or when the error-rate query had no
// traffic to divide by (rated false: no request series with two samples in
// the window, which is also what makes the request count 0).
func enoughTraffic(t check.T, env *target.Env, c *prom.Client, ctx context.Context, now time.Time, window time.Duration, rated bool) float64 {
	t.Helper()
	n, err := c.Requests(ctx, now, window)
	if err != nil {
		t.Fatalf("GNG-1 request count: %v", err)
	}
	check.Evidence(t, "requests", fmt.Sprintf("%.0f in the last %s", n, window))
	if min := float64(env.Cfg.Int(config.MinRequests)); n < min || !rated {
		check.Unverified(t, "only %.0f requests in the last %s (< %s=%.0f): too little traffic to judge", n, window, config.MinRequests, min)
	}
	return n
}

// ErrorRateBelowThreshold checks GNG-1: Error rate <1% for 15 minutes. The
// 5xx share of http_requests_total over the window, and no one-step window
// above the ceiling (range query; each point is the rate over two steps so
// that a 1-minute scrape interval still yields two samples).
func ErrorRateBelowThreshold(t check.T, env *target.Env) {
	t.Helper()
	c, ctx := gngProm(t, env)
	cfg := env.Cfg
	window, step := cfg.Duration(config.GNGWindow), cfg.Duration(config.GNGStep)
	maxPct := cfg.Float(config.MaxErrorRatePct)
	now := time.Now()
	lbl, err := c.StatusLabel(ctx, prom.RequestsMetric, now.Add(-window), now)
	if errors.Is(err, prom.ErrNoLabel) {
		check.Unverified(t, "cannot find the status label of %s: %v", prom.RequestsMetric, err)
	} else if err != nil {
		t.Fatalf("%v", err)
	}
	check.Evidence(t, "status_label", lbl)
	// The error rate divides by the same requests the count adds up: it is
	// empty exactly when there was no traffic, which enoughTraffic judges.
	rate, rated, err := c.Scalar(ctx, prom.ErrorRateQuery(lbl, window), now)
	if err != nil {
		t.Fatalf("GNG-1 error rate over %s: %v", window, err)
	}
	enoughTraffic(t, env, c, ctx, now, window, rated)
	check.Evidence(t, "error_rate", fmt.Sprintf("%.3f%% over %s", rate*100, window))
	ws, err := c.Windows(ctx, prom.ErrorRateQuery(lbl, 2*step), prom.RequestsQuery(2*step), now.Add(-window+step), now, step)
	if err != nil {
		t.Fatalf("GNG-1 error rate per %s step: %v", step, err)
	}
	judged, _ := prom.Judged(ws, prom.MinWindowRequests)
	pts := prom.AsPoints(judged)
	xs, ys := prom.XY(prom.AsPoints(ws), "15:04", 100)
	check.Series(t, "error_rate_15m", "%", xs, ys)
	if rate*100 >= maxPct {
		t.Errorf("5xx error rate = %.2f%% over the last %s, want < %.2f%% (%s)", rate*100, window, maxPct, config.MaxErrorRatePct)
	}
	var bad []string
	for _, p := range pts {
		if p.V*100 >= maxPct {
			bad = append(bad, fmt.Sprintf("%s %.2f%%", p.T.UTC().Format("15:04"), p.V*100))
		}
	}
	if len(bad) > 0 {
		t.Errorf("5xx error rate above %.2f%% in %d of %d %s steps of the last %s: %s", maxPct, len(bad), len(pts), step, window, strings.Join(bad, ", "))
	}
	if len(pts) < int(window/step)/2 {
		check.Unverified(t, "only %d of %d %s steps have ≥ %.0f requests in the last %s", len(pts), int(window/step), step, prom.MinWindowRequests, window)
	}
}

// P99BelowSLA checks GNG-2: P99 latency <500ms.
// histogram_quantile(0.99, …) over the window from the duration histogram.
func P99BelowSLA(t check.T, env *target.Env) {
	t.Helper()
	c, ctx := gngProm(t, env)
	cfg := env.Cfg
	window, step := cfg.Duration(config.GNGWindow), cfg.Duration(config.GNGStep)
	sla := cfg.Duration(config.P99SLA)
	now := time.Now()
	n, ok, err := c.Scalar(ctx, prom.TimedRequestsQuery(window), now)
	if err != nil {
		t.Fatalf("%v", err)
	}
	check.Evidence(t, "requests", fmt.Sprintf("%.0f timed in the last %s", n, window))
	if min := float64(cfg.Int(config.MinRequests)); !ok || n < min {
		check.Unverified(t, "only %.0f timed requests in the last %s (< %s=%.0f): too little traffic to judge P99", n, window, config.MinRequests, min)
	}
	p99, ok, err := c.Scalar(ctx, prom.P99Query(window), now)
	if err != nil {
		t.Fatalf("GNG-2 P99 over %s: %v", window, err)
	}
	if !ok || math.IsNaN(p99) {
		check.Unverified(t, "P99 over %s is undefined (no %s samples)", window, prom.DurationBuckets)
	}
	d := time.Duration(p99 * float64(time.Second)).Round(time.Millisecond)
	check.Evidence(t, "p99", fmt.Sprintf("%s over %s", d, window))
	if pts, err := c.Points(ctx, prom.P99Query(2*step), now.Add(-window+step), now, step); err == nil {
		xs, ys := prom.XY(pts, "15:04", 1000)
		check.Series(t, "p99_15m", "ms", xs, ys)
	}
	if d >= sla {
		t.Errorf("P99 latency = %s over the last %s, want < %s (%s)", d, window, sla, config.P99SLA)
	}
}

// NoP0AlertsFiring checks GNG-3: No P0 alerts firing. Alertmanager
// /api/v2/alerts: active (not silenced, not inhibited) alerts with a P0
// severity fail the row, and so do P0 alerts firing in Prometheus
// (/api/v1/alerts) that Alertmanager does not show. A quiet pager only counts if the P0 rules can fire:
// rules named in HUSTLEXP_NEVER_FIRING_RULES (MON-2's finding), P0 rules
// whose metrics have no series in Prometheus, or no P0 rule at all make the
// row unverified.
func NoP0AlertsFiring(t check.T, env *target.Env) {
	t.Helper()
	cfg := env.Cfg
	check.Need(t, cfg, config.AlertmanagerURL, config.PrometheusURL)
	ctx := check.Ctx(t, cfg)
	sev := map[string]bool{}
	for _, s := range cfg.P0SeverityValues() {
		sev[s] = true
	}
	noP0InAlertmanager(t, ctx, cfg, sev)
	c := prom.FromConfig(cfg)
	noP0InPrometheus(t, ctx, c, sev)
	p0RulesCanFire(t, ctx, c, cfg, sev)
}

// noP0InAlertmanager fails on active P0 alerts in Alertmanager; silenced or
// inhibited ones are evidence, not failures.
func noP0InAlertmanager(t check.T, ctx context.Context, cfg *config.Config, sev map[string]bool) {
	t.Helper()
	am := alertmanager.New(cfg.Get(config.AlertmanagerURL), cfg.Get(config.AlertmanagerToken), cfg.Duration(config.HTTPTimeout))
	alerts, err := am.Alerts(ctx)
	if err != nil {
		t.Fatalf("GNG-3: %v", err)
	}
	var firing, muted []string
	for _, a := range alerts {
		if !sev[a.Labels["severity"]] {
			continue
		}
		desc := fmt.Sprintf("%s{severity=%s} since %s", a.Labels["alertname"], a.Labels["severity"], a.StartsAt.UTC().Format(time.RFC3339))
		if s := a.Annotations["summary"]; s != "" {
			desc += " (" + s + ")"
		}
		if a.Status.State == "suppressed" || len(a.Status.SilencedBy) > 0 || len(a.Status.InhibitedBy) > 0 {
			muted = append(muted, desc)
			continue
		}
		if !a.EndsAt.IsZero() && a.EndsAt.Before(time.Now()) {
			continue
		}
		firing = append(firing, desc)
	}
	sort.Strings(firing)
	check.Evidence(t, "p0_firing", len(firing))
	if len(muted) > 0 {
		check.Evidence(t, "p0_silenced", strings.Join(muted, "; "))
	}
	if len(firing) > 0 {
		t.Fatalf("%d P0 alert(s) firing in Alertmanager: %s — NO-GO until resolved", len(firing), strings.Join(firing, "; "))
	}
}

// noP0InPrometheus is Prometheus's own view: a P0 alert firing there but
// missing from Alertmanager means notifications are not delivered either.
func noP0InPrometheus(t check.T, ctx context.Context, c *prom.Client, sev map[string]bool) {
	t.Helper()
	actx, cancel := context.WithTimeout(ctx, c.Timeout)
	pa, err := c.API.Alerts(actx)
	cancel()
	if err != nil {
		t.Fatalf("GNG-3: Prometheus %s alerts: %v", c.URL, err)
	}
	var promFiring []string
	for _, a := range pa.Alerts {
		if a.State == v1.AlertStateFiring && sev[string(a.Labels["severity"])] {
			promFiring = append(promFiring, fmt.Sprintf("%s{severity=%s} active since %s", a.Labels["alertname"], a.Labels["severity"], a.ActiveAt.UTC().Format(time.RFC3339)))
		}
	}
	if len(promFiring) > 0 {
		sort.Strings(promFiring)
		t.Fatalf("%d P0 alert(s) firing in Prometheus (not active in Alertmanager: check the notification path): %s — NO-GO until resolved", len(promFiring), strings.Join(promFiring, "; "))
	}
}

// p0RulesCanFire refuses a vacuous pass: with no P0 rule loaded, or P0
// rules that can never fire, a quiet pager proves nothing.
func p0RulesCanFire(t check.T, ctx context.Context, c *prom.Client, cfg *config.Config, sev map[string]bool) {
	t.Helper()
	p0, dead, err := p0Rules(ctx, c, sev)
	if err != nil {
		t.Fatalf("GNG-3: %v", err)
	}
	for _, n := range cfg.List(config.NeverFiringRules) {
		dead = append(dead, n+" (HUSTLEXP_NEVER_FIRING_RULES)")
	}
	check.Evidence(t, "p0_rules", strings.Join(p0, ", "))
	switch {
	case len(p0) == 0:
		check.Unverified(t, "no P0 alert is firing, but Prometheus has no alerting rule with severity in %v loaded: silence proves nothing", cfg.P0SeverityValues())
	case len(dead) > 0:
		check.Unverified(t, "no P0 alert is firing, but these rules can never fire, so their silence proves nothing: %s", strings.Join(dead, "; "))
	}
}

// p0Rules lists the loaded P0 alerting rules and those among them whose
// expression only reads metrics that have no series (never updated).
func p0Rules(ctx context.Context, c *prom.Client, sev map[string]bool) (names, dead []string, err error) {
	qctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	rr, err := c.API.Rules(qctx, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("Prometheus %s rules: %v", c.URL, err)
	}
	for _, g := range rr.Groups {
		for _, r := range g.Rules {
			ar, ok := r.(v1.AlertingRule)
			if !ok || !sev[string(ar.Labels["severity"])] {
				continue
			}
			names = append(names, ar.Name)
			if ar.Health == v1.RuleHealthBad {
				dead = append(dead, fmt.Sprintf("%s (rule health err: %s)", ar.Name, ar.LastError))
				continue
			}
			metrics, err := metricNames(ar.Query)
			if err != nil {
				dead = append(dead, fmt.Sprintf("%s (expression does not parse: %v)", ar.Name, err))
				continue
			}
			var absent []string
			for _, m := range metrics {
				v, err := c.Vector(ctx, fmt.Sprintf("count(last_over_time(%s[1d]))", m), time.Now())
				if err != nil {
					return nil, nil, err
				}
				if len(v) == 0 {
					absent = append(absent, m)
				}
			}
			if len(metrics) > 0 && len(absent) == len(metrics) {
				dead = append(dead, fmt.Sprintf("%s (reads %s, which has no series: never updated)", ar.Name, strings.Join(absent, ", ")))
			}
		}
	}
	sort.Strings(names)
	return names, dead, nil
}

func metricNames(expr string) ([]string, error) {
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok && vs.Name != "" && !seen[vs.Name] {
			seen[vs.Name] = true
			out = append(out, vs.Name)
		}
		return nil
	})
	return out, nil
}

// detailedSample is one /health/detailed answer and the replica it came from.
type detailedSample struct {
	replica string
	d       *hxapi.Detailed
	at      time.Time
}

// expectedReplicas is how many replicas a row must reach: the larger of
// Railway's serviceInstance.numReplicas and HUSTLEXP_REPLICAS.
func expectedReplicas(t check.T, env *target.Env) replicas.Want {
	t.Helper()
	check.Need(t, env.Cfg, replicas.RailwayVars...)
	w, err := replicas.Expected(check.Ctx(t, env.Cfg), env.Cfg)
	if err != nil {
		t.Fatalf("replicas the deployment runs: %v", err)
	}
	check.Evidence(t, "replicas_expected", w.String())
	return w
}

// sampleDetailed takes HUSTLEXP_GNG_SAMPLES answers of /health/detailed
// spread over HUSTLEXP_GNG_SAMPLE_WINDOW, and more (up to 2×want+2) until
// want replicas answered; replicas are told apart by their process start
// (timestamp − uptime). It returns the samples and how many distinct
// replicas answered.
func sampleDetailed(t check.T, env *target.Env, want int) ([]detailedSample, int) {
	t.Helper()
	check.Need(t, env.Cfg, config.BaseURL, config.InternalAPIKey)
	ctx := check.Ctx(t, env.Cfg)
	c := hxapi.New(env)
	n := max(1, env.Cfg.Int(config.GNGSamples))
	limit := max(n, 2*want+2)
	gap := env.Cfg.Duration(config.GNGSampleWindow) / time.Duration(n)
	reps := &replicas.Set{}
	var out []detailedSample
	for i := 0; i < limit && (i < n || reps.Len() < want); i++ {
		if i > 0 {
			select {
			case <-ctx.Done():
				t.Fatalf("sampling /health/detailed: %v after %d samples", ctx.Err(), i)
			case <-time.After(gap):
			}
		}
		d, _, err := c.Detailed(ctx)
		if err != nil {
			t.Fatalf("sample %d of /health/detailed: %v", i+1, err)
		}
		label := fmt.Sprintf("sample %d (replica unknown)", i+1)
		if st, ok := d.ProcessStart(); ok {
			idx, _ := reps.Index(st)
			label = fmt.Sprintf("replica %d", idx)
		}
		out = append(out, detailedSample{label, d, time.Now()})
	}
	return out, reps.Len()
}

// BreakersClosedAtDecision checks GNG-4: All circuit breakers CLOSED. As
// SMK-4, sampled until every replica the deployment runs answered
// (serviceInstance.numReplicas, or HUSTLEXP_REPLICAS if the operator expects
// more): any breaker OPEN or HALF_OPEN on any replica is a NO-GO.
func BreakersClosedAtDecision(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.BaseURL, config.InternalAPIKey)
	want := expectedReplicas(t, env)
	samples, reached := sampleDetailed(t, env, want.N)
	bad := map[string]bool{}
	var problems []string
	for _, s := range samples {
		if len(s.d.CircuitBreakers) == 0 && len(s.d.ShapeProblems("circuitBreakers")) == 0 {
			t.Fatalf("GET /health/detailed (%s) has no circuitBreakers map (%s)", s.replica, s.d.Why("circuitBreakers"))
		}
		for _, sp := range s.d.ShapeProblems("circuitBreakers") {
			if k := s.replica + " " + sp; !bad[k] {
				bad[k] = true
				problems = append(problems, k)
			}
		}
		for _, nc := range s.d.NotClosed() {
			if k := s.replica + " " + nc; !bad[k] {
				bad[k] = true
				problems = append(problems, k)
			}
		}
	}
	check.Evidence(t, "samples", fmt.Sprintf("%d samples, %d of %d replicas", len(samples), reached, want.N))
	if len(problems) > 0 {
		sort.Strings(problems)
		t.Fatalf("circuit breakers not CLOSED at decision time: %s — NO-GO (the dependency is failing; see incident_events circuit_breaker_open)", strings.Join(problems, "; "))
	}
	if reached < want.N {
		check.Unverified(t, "reached %d of %d replicas (%s) in %d samples: the others' breakers were not seen", reached, want.N, want.From, len(samples))
	}
	check.Evidence(t, "breakers", "all CLOSED on every replica reached")
}

// PoolBelowHalf checks GNG-5: DB connection pool utilization <50%. Per sample,
// pool.totalConnections ÷ the deployment's DB_POOL_MAX (Railway; contract §8.6: only the counts are
// visible over HTTP); plus the pool metric when HUSTLEXP_POOL_METRIC_QUERY
// names one. Every replica the deployment runs (serviceInstance.numReplicas,
// or HUSTLEXP_REPLICAS if the operator expects more) must have been seen.
func PoolBelowHalf(t check.T, env *target.Env) {
	t.Helper()
	cfg := env.Cfg
	dp := deploymentPool(t, check.Ctx(t, cfg), env)
	poolMax := dp.PoolMax
	if poolMax <= 0 {
		t.Fatalf("the deployment's DB_POOL_MAX = %d: cannot compute utilisation", poolMax)
	}
	limit := cfg.Float(config.PoolMaxUtilPct)
	want, from := dp.Replicas, "serviceInstance.numReplicas"
	if n := cfg.Int(config.Replicas); n > want {
		want, from = n, config.Replicas
	}
	poolMetricBelow(t, cfg, limit)
	samples, reached := sampleDetailed(t, env, want)
	poolSamplesBelow(t, samples, poolMax, limit)
	if reached < want {
		check.Unverified(t, "reached %d of %d replicas (%s) in %d samples: the others' pools were not seen", reached, want, from, len(samples))
	}
}

// poolSamplesBelow judges pool.totalConnections ÷ DB_POOL_MAX of every sample.
func poolSamplesBelow(t check.T, samples []detailedSample, poolMax int, limit float64) {
	t.Helper()
	worst := map[string]float64{}
	var xs []string
	var ys []float64
	var over []string
	for _, s := range samples {
		if s.d.Pool == nil {
			t.Fatalf("GET /health/detailed (%s) has no readable pool.totalConnections (%s)", s.replica, s.d.Why("pool.totalConnections"))
		}
		pct := float64(s.d.Pool.TotalConnections) / float64(poolMax) * 100
		xs = append(xs, s.at.UTC().Format("15:04:05"))
		ys = append(ys, math.Round(pct*10)/10)
		if pct > worst[s.replica] {
			worst[s.replica] = pct
		}
		if pct >= limit {
			over = append(over, fmt.Sprintf("%s %d/%d = %.0f%% (idle %d, waiting %d)", s.replica, s.d.Pool.TotalConnections, poolMax, pct,
				s.d.Pool.IdleConnections, s.d.Pool.WaitingClients))
		}
	}
	check.Series(t, "pool_use", "%", xs, ys)
	var ev []string
	for r, p := range worst {
		ev = append(ev, fmt.Sprintf("%s max %.0f%%", r, p))
	}
	sort.Strings(ev)
	check.Evidence(t, "pool_utilisation", fmt.Sprintf("%s of DB_POOL_MAX=%d over %d samples", strings.Join(ev, ", "), poolMax, len(samples)))
	if len(over) > 0 {
		t.Errorf("DB pool utilisation at or above %.0f%% (%s): %s — the pool is close to exhaustion", limit, config.PoolMaxUtilPct, strings.Join(dedupe(over), "; "))
	}
}

// poolMetricBelow judges the pool metric HUSTLEXP_POOL_METRIC_QUERY names
// (a 0..1 utilisation per series), when it names one: the query then needs
// PROMETHEUS_URL, and a query that returns no series proves nothing.
func poolMetricBelow(t check.T, cfg *config.Config, limit float64) {
	t.Helper()
	q := cfg.Get(config.PoolMetricQuery)
	if q == "" {
		return
	}
	if cfg.Get(config.PrometheusURL) == "" {
		check.NotConfigured(t, cfg, fmt.Sprintf("%s not set (%s names a pool metric to judge)", config.PrometheusURL, config.PoolMetricQuery))
	}
	v, err := prom.FromConfig(cfg).Vector(check.Ctx(t, cfg), q, time.Now())
	if err != nil {
		t.Fatalf("%s: %v", config.PoolMetricQuery, err)
	}
	if len(v) == 0 {
		check.Unverified(t, "%s %q returned no series: the pool metric was not seen (is it exported and scraped?)", config.PoolMetricQuery, q)
	}
	for _, s := range v {
		if pct := float64(s.Value) * 100; pct >= limit {
			t.Errorf("pool metric %s = %.0f%%, want < %.0f%%", s.Metric, pct, limit)
		}
	}
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
