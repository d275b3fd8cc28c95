package smoke

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/hxapi"
	"github.com/hustlexp/launchcheck/internal/load"
	"github.com/hustlexp/launchcheck/internal/replicas"
	"github.com/hustlexp/launchcheck/internal/target"
)

// K6SmokePasses checks SMK-1: `k6 run ops/load-test/k6-smoke.js` passes all thresholds.
//
// With k6 on PATH and the script in HUSTLEXP_REPO_DIR the real script runs
// and must exit 0. The native equivalent always runs too: the same three
// endpoints and thresholds, at an open-model rate kept under the target's
// per-IP rate limit. Against a live target the native stage is evidence, not
// the line: without a k6 run the row is unverified (the rehearsal may pass
// on the native stage alone).
func K6SmokePasses(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.BaseURL)
	ctx := check.Ctx(t, env.Cfg)
	base := env.Cfg.Get(config.BaseURL)
	bin, script, noK6 := FindK6(env.Cfg.Get(config.K6Binary), env.Cfg.Get(config.RepoDir))
	if noK6 != "" {
		check.Evidence(t, "k6", "not run: "+noK6+"; native stage only")
	} else {
		runK6(t, ctx, env, bin, script, base)
	}
	c := hxapi.New(env)
	// preflight: the target must be a HustleXP API (JSON liveness), not
	// just any host answering 200, before it is loaded
	live, probe, err := c.Liveness(ctx)
	if err != nil {
		t.Fatalf("SMK-1 probe: %v", err)
	}
	if probe.Status != http.StatusOK || !live.Alive {
		t.Fatalf("SMK-1 probe: GET /health/liveness = %d alive=%v, want 200 alive=true before loading the target: %s", probe.Status, live.Alive, probe.Excerpt())
	}
	limit, remaining, _ := probe.RateLimit()
	plan := PlanLoad(float64(env.Cfg.Int(config.LoadRate)), env.Cfg.Duration(config.LoadDuration), limit, remaining, env.Cfg.Bool(config.LoadIgnoreRateLimit))
	if plan.Reason != "" {
		check.Evidence(t, "load_plan", plan.Reason)
	}
	minN := env.Cfg.Int(config.LoadMinSamples)
	if plan.Requests() < minN {
		fix := fmt.Sprintf("wait for a fresh rate-limit window, or set %s=1", config.LoadIgnoreRateLimit)
		if d := DurationFor(minN, limit); d > plan.Duration && PlanLoad(plan.Rate, d, limit, remaining, false).Requests() >= minN {
			fix = fmt.Sprintf("set %s=%s or more (%s=1 ignores the limit)", config.LoadDuration, d, config.LoadIgnoreRateLimit)
		}
		check.Unverified(t, "the rate limit (X-RateLimit-Limit=%d, %d remaining) leaves %d requests for the native stage of %s, need at least %s=%d: %s",
			limit, remaining, plan.Requests(), plan.Duration, config.LoadMinSamples, minN, fix)
	}
	res, err := RunNativeLoad(ctx, base, LoadOptions{Plan: plan, Timeout: env.Cfg.Duration(config.HTTPTimeout), NextID: c.NextRequestID})
	if err != nil {
		t.Fatalf("SMK-1 native stage: %v", err)
	}
	judgeLoad(t, env, res)
	if noK6 != "" && env.Cfg.Live() && !t.Failed() {
		check.Unverified(t, "the native stage met the k6-smoke thresholds, but the line is `k6 run ops/load-test/k6-smoke.js` and k6 did not run: %s (install k6 or set %s, and set %s to the backend checkout)",
			noK6, config.K6Binary, config.RepoDir)
	}
}

func runK6(t check.T, ctx context.Context, env *target.Env, bin, script, base string) {
	t.Helper()
	dir, err := mkTemp()
	if err != nil {
		t.Fatalf("SMK-1 k6: temp dir: %v", err)
	}
	t.Cleanup(func() { removeAll(dir) })
	kctx, cancel := context.WithTimeout(ctx, env.Cfg.Duration(config.LoadK6Timeout))
	defer cancel()
	run, err := load.RunK6(kctx, bin, script, base, dir)
	if err != nil {
		t.Errorf("SMK-1 k6: %v", err)
		return
	}
	for _, th := range run.Thresholds {
		name, verdict, _ := strings.Cut(th, ":")
		check.Evidence(t, "k6."+strings.Join(strings.Fields(name), "."), strings.TrimSpace(verdict))
	}
	check.Evidence(t, "k6_exit", run.ExitCode)
	if run.ExitCode != 0 {
		t.Errorf("k6 run %s exited %d, want 0 (thresholds: %s); output: %s", script, run.ExitCode, strings.Join(run.Thresholds, "; "), run.Output)
	}
}

// judgeLoad applies the k6-smoke thresholds to a native stage.
func judgeLoad(t check.T, env *target.Env, res *LoadResult) {
	t.Helper()
	all, health := res.Latencies(""), res.Latencies("/health")
	p99, hp99 := load.Percentile(all, 0.99), load.Percentile(health, 0.99)
	maxErr := env.Cfg.Float(config.LoadMaxErrorRate)
	wantP99, wantHP99 := env.Cfg.Duration(config.LoadP99), env.Cfg.Duration(config.LoadHealthP99)
	check.Evidence(t, "native_requests", fmt.Sprintf("%d in %s at %.2f/s (open model, vegeta)", res.Sent(), res.Elapsed.Round(time.Millisecond), res.Plan.Rate))
	check.Evidence(t, "http_req_failed", fmt.Sprintf("%.2f%% (%d of %d), threshold < %.2f%%", 100*res.FailedRate(), res.Failed, res.Answered(), 100*maxErr))
	check.Evidence(t, "http_req_duration_p99", fmt.Sprintf("%s, threshold < %s", p99.Round(100*time.Microsecond), wantP99))
	check.Evidence(t, "health_duration_p99", fmt.Sprintf("%s, threshold < %s", hp99.Round(100*time.Microsecond), wantHP99))
	check.Evidence(t, "rate_limited_429", res.Limited)
	for _, p := range SmokeEndpoints {
		ls := res.Latencies(p)
		check.Evidence(t, "latency"+strings.ReplaceAll(p, "/", "_"), fmt.Sprintf("n=%d p50=%s p95=%s p99=%s", len(ls),
			load.Percentile(ls, 0.5).Round(100*time.Microsecond), load.Percentile(ls, 0.95).Round(100*time.Microsecond), load.Percentile(ls, 0.99).Round(100*time.Microsecond)))
	}
	xs, ys := res.SeriesP99()
	check.Series(t, "native_load_p99_per_second", "ms", xs, ys)
	if minN := env.Cfg.Int(config.LoadMinSamples); res.Answered() < minN {
		check.Unverified(t, "only %d of %d requests were answered without 429 (need %d): the per-IP rate limit was hit by other traffic from this address",
			res.Answered(), res.Sent(), minN)
	}
	if res.FailedRate() >= maxErr {
		t.Errorf("http_req_failed = %.2f%% (%d of %d non-429 requests), want < %.2f%%: %s", 100*res.FailedRate(), res.Failed, res.Answered(), 100*maxErr, failSummary(res.FailCodes))
	}
	if p99 >= wantP99 {
		t.Errorf("http_req_duration p99 = %s over %d requests, want < %s (%s)", p99.Round(time.Millisecond), len(all), wantP99, config.LoadP99)
	}
	if hp99 >= wantHP99 {
		t.Errorf("health_duration (GET /health) p99 = %s over %d requests, want < %s (%s): /health is slow", hp99.Round(time.Millisecond), len(health), wantHP99, config.LoadHealthP99)
	}
}

func failSummary(m map[string]int) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%d× %s", v, k))
	}
	sort.Strings(parts)
	if len(parts) > 6 {
		parts = append(parts[:6], "…")
	}
	return strings.Join(parts, ", ")
}

// HealthHealthy checks SMK-2: `/health` returns `{ status: "healthy" }`.
// Every replica the deployment runs (serviceInstance.numReplicas, or
// HUSTLEXP_REPLICAS if the operator expects more) must get a chance to
// answer. /health carries no uptime, so each round also asks
// /health/liveness (public) and tells replicas apart by its process start
// (answer time − uptime); rounds continue until every replica was seen
// (at most 4×replicas+2), every /health answer must be healthy.
func HealthHealthy(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.BaseURL)
	want := expectedReplicas(t, env)
	ctx := check.Ctx(t, env.Cfg)
	c := hxapi.New(env)
	reps := &replicaSet{}
	var lat []time.Duration
	rounds := 0
	for rounds < 4*want.N+2 && (rounds < want.N || reps.len() < want.N) {
		rounds++
		// alternate the order so that a strict round-robin over an even
		// number of replicas does not pin /health to the same ones
		if rounds%2 == 0 {
			livenessReplica(t, ctx, c, reps)
		}
		h, r, err := c.Health(ctx)
		if err != nil {
			t.Fatalf("SMK-2: %v", err)
		}
		lat = append(lat, r.Latency)
		if rounds == 1 {
			healthEvidence(t, h, r)
		}
		if r.Status != http.StatusOK || h.Status != "healthy" {
			t.Fatalf("GET /health = %d with status %q (sample %d), want 200 with status \"healthy\": %s", r.Status, h.Status, rounds, healthCause(h, r))
		}
		if rounds%2 == 1 {
			livenessReplica(t, ctx, c, reps)
		}
	}
	check.Evidence(t, "replicas_reached", fmt.Sprintf("%d of %d in %d samples of /health (%s)", reps.len(), want.N, rounds, strings.Join(reps.labels(), "; ")))
	check.Evidence(t, "latency_max", maxDur(lat).Round(100*time.Microsecond))
	if reps.len() < want.N {
		check.Unverified(t, "reached %d of %d replicas (%s) in %d rounds of /health + /health/liveness: the others' /health was not seen", reps.len(), want.N, want.From, rounds)
	}
}

// livenessReplica asks /health/liveness and records the answering replica
// by its process start (answer time − uptime).
func livenessReplica(t check.T, ctx context.Context, c *hxapi.Client, reps *replicaSet) {
	t.Helper()
	l, r, err := c.Liveness(ctx)
	if err != nil {
		t.Fatalf("SMK-2 GET /health/liveness (tells the replicas apart): %v", err)
	}
	if r.Status == http.StatusOK && l.Uptime > 0 {
		reps.add(time.Now().Add(-r.Latency / 2).Add(-time.Duration(l.Uptime * float64(time.Second))))
	}
}

func healthEvidence(t check.T, h *hxapi.Health, r *hxapi.Response) {
	t.Helper()
	check.Evidence(t, "health", fmt.Sprintf("%d status=%q", r.Status, h.Status))
	if h.Build != nil {
		check.Evidence(t, "build_revision", h.Build.Revision)
	} else if h.OldShape() {
		check.Evidence(t, "shape", "older deployment body (version "+h.Version+")")
	}
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

func healthCause(h *hxapi.Health, r *hxapi.Response) string {
	switch {
	case h.Error != "":
		return "database error: " + h.Error
	case h.Status == "unhealthy" && h.Build != nil && (h.Build.CleanSource == nil || !*h.Build.CleanSource || len(h.Build.Revision) != 40):
		return fmt.Sprintf("untrusted build (revision %q, clean_source %v) in production mode", h.Build.Revision, h.Build.CleanSource)
	}
	return r.Excerpt()
}

// ReadinessDBLatency checks SMK-3: `/health/readiness` returns 200 with DB latency <100ms.
// The latency comes from readiness dbLatencyMs when the deployment sends it
// (older deployments), else from /health/detailed checks.database.latency.
// HUSTLEXP_HEALTH_SAMPLES samples are taken and EVERY one must stay under
// HUSTLEXP_DB_LATENCY_MAX (the line has no percentile); p50/p95 (nearest
// rank) are evidence only.
func ReadinessDBLatency(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.BaseURL)
	ctx := check.Ctx(t, env.Cfg)
	c := hxapi.New(env)
	n := max(1, env.Cfg.Int(config.HealthSamples))
	limit := env.Cfg.Duration(config.DBLatencyMax)
	var db, http_ []time.Duration
	source := ""
	for i := 0; i < n; i++ {
		rd, r, err := c.Readiness(ctx)
		if err != nil {
			t.Fatalf("SMK-3: %v", err)
		}
		http_ = append(http_, r.Latency)
		if r.Status != http.StatusOK || !rd.Ready {
			t.Fatalf("GET /health/readiness = %d ready=%v (sample %d of %d), want 200 ready=true: %s", r.Status, rd.Ready, i+1, n, r.Excerpt())
		}
		if rd.DBLatencyMs != nil {
			source = "readiness dbLatencyMs"
			db = append(db, rd.DBLatencyMs.Duration())
			continue
		}
		if env.Cfg.Get(config.InternalAPIKey) == "" {
			check.NotConfigured(t, env.Cfg, config.InternalAPIKey+" not set (readiness carries no dbLatencyMs, so the DB latency comes from /health/detailed)")
		}
		d, dr, err := c.Detailed(ctx)
		if err != nil {
			t.Fatalf("SMK-3: %v", err)
		}
		source = "/health/detailed checks.database.latency"
		if d.Checks.Database.Status != "ok" || d.Checks.Database.Latency == nil {
			t.Fatalf("GET /health/detailed = %d checks.database = {status:%q latency:%s error:%q}, want status ok with a latency in ms (%s)", dr.Status, d.Checks.Database.Status, d.Seen("checks.database.latency"), d.Checks.Database.Error, dbCheckWhy(d))
		}
		db = append(db, d.Checks.Database.Latency.Duration())
	}
	p50, p95 := load.Percentile(db, 0.5), load.Percentile(db, 0.95)
	check.Evidence(t, "db_latency", fmt.Sprintf("p50=%s p95=%s max=%s over %d samples (%s)", p50, p95, maxDur(db), len(db), source))
	check.Evidence(t, "readiness_http_latency", fmt.Sprintf("p50=%s p95=%s", load.Percentile(http_, 0.5).Round(100*time.Microsecond), load.Percentile(http_, 0.95).Round(100*time.Microsecond)))
	var slow []string
	for i, d := range db {
		if d >= limit {
			slow = append(slow, fmt.Sprintf("sample %d: %s", i+1, d))
		}
	}
	if len(slow) > 0 {
		t.Errorf("DB latency over the limit in %d of %d samples from %s (%s; p50 %s), want every sample < %s (%s): the database round trip is slow",
			len(slow), len(db), source, strings.Join(slow, ", "), p50, limit, config.DBLatencyMax)
	}
}

// BreakersClosed checks SMK-4: `/health/detailed` shows all circuit breakers CLOSED.
// Each response shows one replica; replicas are told apart by their process
// start (timestamp − uptime) and sampling continues until every replica
// the deployment runs (serviceInstance.numReplicas, or HUSTLEXP_REPLICAS if
// the operator expects more) was seen (or 4×replicas+2 samples).
func BreakersClosed(t check.T, env *target.Env) {
	t.Helper()
	check.Need(t, env.Cfg, config.BaseURL, config.InternalAPIKey)
	w := expectedReplicas(t, env)
	ctx := check.Ctx(t, env.Cfg)
	c := hxapi.New(env)
	want := w.N
	maxSamples := 4*want + 2
	reps := &replicaSet{}
	var problems []string
	seenProblem := map[string]bool{}
	samples := 0
	for samples < maxSamples && (samples < want || reps.len() < want) {
		d, r, err := c.Detailed(ctx)
		if err != nil {
			t.Fatalf("SMK-4: %v", err)
		}
		samples++
		label := reps.label(d, samples)
		for _, sp := range d.ShapeProblems("circuitBreakers") {
			if !seenProblem[label+sp] {
				seenProblem[label+sp] = true
				problems = append(problems, fmt.Sprintf("%s: %s (GET /health/detailed = %d)", label, sp, r.Status))
			}
		}
		if missing := missingBreakers(d); len(missing) > 0 {
			key := "missing " + strings.Join(missing, ",")
			if !seenProblem[label+key] {
				seenProblem[label+key] = true
				problems = append(problems, fmt.Sprintf("%s: circuitBreakers lacks %s (GET /health/detailed = %d)", label, strings.Join(missing, ", "), r.Status))
			}
		}
		if nc := d.NotClosed(); len(nc) > 0 {
			key := strings.Join(nc, ",")
			if !seenProblem[label+key] {
				seenProblem[label+key] = true
				problems = append(problems, fmt.Sprintf("%s: %s", label, key))
			}
		}
	}
	check.Evidence(t, "replicas_reached", fmt.Sprintf("%d of %d in %d samples (%s)", reps.len(), want, samples, strings.Join(reps.labels(), "; ")))
	if len(problems) > 0 {
		t.Fatalf("circuit breakers not CLOSED: %s (each is a dependency failing on that replica; see incident_events circuit_breaker_open)", strings.Join(problems, "; "))
	}
	if reps.len() < want {
		check.Unverified(t, "reached %d of %d replicas (%s) in %d samples of /health/detailed: the others' breakers were not seen", reps.len(), want, w.From, samples)
	}
	check.Evidence(t, "breakers", fmt.Sprintf("all %d CLOSED on every replica reached", len(BreakerKeys)))
}

// BreakerKeys are the 10 breakers the contract lists (§2.4).
var BreakerKeys = []string{"openai", "anthropic", "groq", "deepseek", "stripe", "sendgrid", "twilio", "awsRekognition", "gcpVision", "googleMaps"}

// dbCheckWhy names what is wrong with checks.database: a shape problem of
// the entry or of its fields, else what the body holds there.
func dbCheckWhy(d *hxapi.Detailed) string {
	if sp := d.ShapeProblems("checks.database"); len(sp) > 0 {
		return strings.Join(sp, "; ")
	}
	return d.Why("checks.database")
}

// missingBreakers lists the breakers the body does not carry at all (those in
// an unknown shape are reported by their shape problem instead).
func missingBreakers(d *hxapi.Detailed) []string {
	var out []string
	for _, k := range BreakerKeys {
		if _, ok := d.CircuitBreakers[k]; !ok && d.Problem("circuitBreakers."+k) == "" {
			out = append(out, k)
		}
	}
	return out
}

// replicaSet clusters answers by process start time.
type replicaSet struct{ replicas.Set }

func (s *replicaSet) len() int { return s.Len() }

func (s *replicaSet) add(st time.Time) { s.Index(st) }

func (s *replicaSet) label(d *hxapi.Detailed, sample int) string {
	st, ok := d.ProcessStart()
	if !ok {
		return fmt.Sprintf("sample %d (replica unknown: no timestamp/uptime)", sample)
	}
	i, x := s.Index(st)
	return fmt.Sprintf("replica %d (process started %s)", i, x.UTC().Format(time.RFC3339))
}

func (s *replicaSet) labels() []string { return s.Labels() }

func maxDur(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}
