//go:build !prelaunch && !t0 && !day1 && !week1

package postlaunch_test

// Failure coverage of the postlaunch rows (issue 13): each failure
// statement of DAY-1..4 and WK-1..5 that the row self-tests do not reach is
// driven here by a fault the real provider or system can produce, and the
// failure's own message is asserted.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hustlexp/launchcheck/fixtures/fakes/neonfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/promfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/railwayfake"
	"github.com/hustlexp/launchcheck/fixtures/pgrestore"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/dbcheck"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/prom"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/postlaunch"
)

// promQuery is the PromQL of a Prometheus API request (GET parameter or
// POST form body).
func promQuery(r *http.Request, body []byte) string {
	if q := r.URL.Query().Get("query"); q != "" {
		return q
	}
	v, _ := url.ParseQuery(string(body))
	return v.Get("query")
}

// rehearsalQuery is q as the rehearsal's Prometheus client sends it: scoped
// to the one job exporting the backend's series (HUSTLEXP_PROM_SELECTOR=auto).
func rehearsalQuery(t *testing.T, q string) string {
	t.Helper()
	ms, err := prom.ParseSelector(`job="hustlexp-api"`)
	if err != nil {
		t.Fatal(err)
	}
	scoped, err := prom.ScopeQuery(q, ms)
	if err != nil {
		t.Fatal(err)
	}
	return scoped
}

// promFails answers the Prometheus API requests match accepts with 503,
// as a Prometheus whose query engine is overloaded does.
func promFails(t *testing.T, env *target.Env, match func(path, query string) bool) *target.Env {
	t.Helper()
	return checktest.FailFront(t, env, config.PrometheusURL, func(r *http.Request, body []byte) bool {
		return match(r.URL.Path, promQuery(r, body))
	}, http.StatusServiceUnavailable, `{"status":"error","errorType":"unavailable","error":"injected: query engine overloaded"}`)
}

// ownProm starts a private Prometheus fake with opts.
func ownProm(t *testing.T, env *target.Env, opts promfake.Options) (*promfake.Fake, *target.Env) {
	t.Helper()
	p := promfake.Run(t, promfake.With(opts))
	return p, env.MustWith(map[string]string{config.PrometheusURL: p.URL})
}

// requestCounter is http_requests_total of one route without the labels a
// scrape adds (a Prometheus fed by an OpenTelemetry collector without
// service.name has no job label): rps requests per second from start.
func requestCounter(p *promfake.Fake, start time.Time, rps float64) {
	p.AddSeries(map[string]string{"__name__": prom.RequestsMetric, "method": "GET", "route": "/health", "status_code": "200"},
		start, time.Now(), func(at time.Time) float64 { return at.Sub(start).Seconds() * rps })
}

func mustStatus(t *testing.T, r checktest.Result, want string) {
	t.Helper()
	if r.Status() != want {
		t.Fatalf("status %s, want %s: %s", r.Status(), want, r.Text())
	}
}

func TestSelfDAY1FailurePaths(t *testing.T) {
	_, env := harness.World(t)
	run := func(e *target.Env) func(check.T) { return func(ct check.T) { postlaunch.ErrorRateMonitored(ct, e) } }
	t.Run("fault=Prometheus unreachable", func(t *testing.T) {
		addr := checktest.ClosedPort(t)
		bad := env.MustWith(map[string]string{config.PrometheusURL: "http://" + addr})
		checktest.MustFail(t, metricsTimeout, run(bad), "DAY-1 status label", addr)
	})
	t.Run("fault=no request series in Prometheus", func(t *testing.T) {
		_, bad := ownProm(t, env, promfake.Options{History: time.Hour, Routes: []promfake.Route{}})
		mustStatus(t, checktest.MustFail(t, metricsTimeout, run(bad), "cannot find the status label of http_requests_total", "no http_requests_total series"), "unverified")
	})
	t.Run("fault=error-rate range query fails", func(t *testing.T) {
		bad := promFails(t, env, func(path, q string) bool {
			return strings.HasSuffix(path, "/query_range") && strings.Contains(q, `=~"5..|5xx"`)
		})
		checktest.MustFail(t, metricsTimeout, run(bad), "DAY-1 error-rate windows", "503")
	})
	t.Run("fault=job label values fail", func(t *testing.T) {
		// the row's own lookup (scoped to the deployment), not the client's scope discovery
		bad := checktest.FailFront(t, env, config.PrometheusURL, func(r *http.Request, _ []byte) bool {
			return strings.HasSuffix(r.URL.Path, "/label/job/values") && strings.Contains(r.URL.Query().Get("match[]"), "{")
		}, http.StatusServiceUnavailable, `{"status":"error","errorType":"unavailable","error":"injected: query engine overloaded"}`)
		checktest.MustFail(t, metricsTimeout, run(bad), "DAY-1 up selector", "503")
	})
	t.Run("fault=availability range query fails", func(t *testing.T) {
		bad := promFails(t, env, func(path, q string) bool {
			return strings.HasSuffix(path, "/query_range") && strings.Contains(q, "max_over_time(up")
		})
		checktest.MustFail(t, metricsTimeout, run(bad), `DAY-1 availability (up{job="hustlexp-api"})`, "503")
	})
	t.Run("fault=request count query fails", func(t *testing.T) {
		want := rehearsalQuery(t, prom.RequestsQuery(24*time.Hour))
		bad := promFails(t, env, func(path, q string) bool { return strings.HasSuffix(path, "/query") && q == want })
		checktest.MustFail(t, metricsTimeout, run(bad), "DAY-1 request count", "503")
	})
	t.Run("fault=request metric without a job label", func(t *testing.T) {
		p, bad := ownProm(t, env, promfake.Options{History: time.Hour, Routes: []promfake.Route{}})
		requestCounter(p, time.Now().Add(-26*time.Hour), 5)
		mustStatus(t, checktest.MustFail(t, metricsTimeout, run(bad), "cannot judge availability", "no job label on http_requests_total", config.UpSelector), "unverified")
	})
	t.Run("fault=no up sample and no request in 24 h", func(t *testing.T) {
		p, bad := ownProm(t, env, promfake.Options{History: time.Hour, Routes: []promfake.Route{}})
		requestCounter(p, time.Now().Add(-26*time.Hour), 0) // the series exists, nothing was served
		// and the up series the selector names was never scraped (a job renamed in the scrape config)
		bad = bad.MustWith(map[string]string{config.UpSelector: `up{job="hustlexp-api-v2"}`})
		mustStatus(t, checktest.MustFail(t, metricsTimeout, run(bad), `no availability data (up{job="hustlexp-api-v2"}) and no requests in the last 24h`), "unverified")
	})
	t.Run("fault=traffic in only 10 of the last 24 h", func(t *testing.T) {
		_, bad := ownProm(t, env, promfake.Options{History: 10 * time.Hour})
		mustStatus(t, checktest.MustFail(t, metricsTimeout, run(bad), "of 288 5m0s windows in the last 24h0m0s have ≥ 20 requests"), "unverified")
	})
}

func TestSelfWK2QueryFails(t *testing.T) {
	_, env := harness.World(t)
	t.Run("fault=daily P99 query fails", func(t *testing.T) {
		bad := promFails(t, env, func(path, q string) bool { return strings.HasSuffix(path, "/query_range") })
		checktest.MustFail(t, metricsTimeout, func(ct check.T) { postlaunch.P99Trend(ct, bad) }, "WK-2 daily P99", "503")
	})
}

func TestSelfDAY2StageFailures(t *testing.T) {
	_, env := harness.World(t)
	addr := checktest.ClosedPort(t)
	bad := env.MustWith(map[string]string{config.DatabaseURL: "postgres://launchcheck_ro:x@" + addr + "/hustlexp?sslmode=disable&connect_timeout=2"})
	checktest.MustFail(t, metricsTimeout, func(ct check.T) { postlaunch.NoEscrowDrift(ct, bad) }, "DAY-2 SQL invariants on", addr)
}

func TestSelfWK1StageFailures(t *testing.T) {
	_, env := harness.World(t)
	run := func(e *target.Env) func(check.T) { return func(ct check.T) { postlaunch.StressOffPeak(ct, e) } }
	t.Run("fault=off-peak window not HH:MM-HH:MM", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.HustlexpTarget: "production", config.AllowStress: "1", config.StressWindow: "2am-5am"})
		checktest.MustFail(t, stressTimeout, run(bad), "WK-1: ", config.StressWindow, "is not HH:MM-HH:MM")
	})
	t.Run("fault=time scale 0", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.StressTimeScale: "0"})
		checktest.MustFail(t, stressTimeout, run(bad), "WK-1 plan: ", "must be > 0")
	})
	t.Run("fault=VU scale so small the plan sends nothing", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.StressVUScale: "0.00001"})
		checktest.MustFail(t, stressTimeout, run(bad), "WK-1 plan: ", "too little load to judge")
	})
	t.Run("fault=API holds every connection: the load engine cannot keep the pace", func(t *testing.T) {
		// each request hangs 10 s; the engine's 4 workers stay busy, so the
		// planned ≈71 requests never go out
		bad := env.MustWith(map[string]string{config.BaseURL: "http://" + checktest.BlackHole(t), config.HTTPTimeout: "10s", config.CheckTimeout: "30s"})
		checktest.MustFail(t, stressTimeout, run(bad), "WK-1: the stress run sent", "of ≈71 planned requests")
	})
	t.Run("fault=API hangs past the deadline", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.BaseURL: "http://" + checktest.BlackHole(t), config.HTTPTimeout: "30s", config.CheckTimeout: "1s"})
		checktest.MustFail(t, stressTimeout, run(bad), "WK-1 run: ", "load stopped after")
	})
}

func TestSelfWK3ThresholdsMalformed(t *testing.T) {
	_, env := harness.World(t)
	bad := env.MustWith(map[string]string{config.Thresholds1099K: "2026=six hundred dollars"})
	checktest.MustFail(t, week1Timeout, func(ct check.T) { postlaunch.TaxThresholdMonitoring(ct, bad) }, "WK-3: ", "is not YEAR=CENTS")
}

func TestSelfWK4StageFailures(t *testing.T) {
	l := newLedger(t, 1)
	run := func(e *target.Env) func(check.T) { return func(ct check.T) { postlaunch.RestoreWorks(ct, e) } }
	t.Run("fault=branch never ready", func(t *testing.T) {
		env, _, _ := restoreEnv(t, l, pgrestore.Options{})
		bad := checktest.JSONFront(t, env, config.NeonAPIURL, func(r *http.Request) bool {
			return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/branches")
		}, func(body map[string]any) {
			bs, _ := body["branches"].([]any)
			for _, b := range bs {
				if m, ok := b.(map[string]any); ok && strings.HasSuffix(m["name"].(string), "-wk4-restore") {
					m["current_state"] = "init"
				}
			}
		}).MustWith(map[string]string{config.RestoreTimeout: "2s"})
		checktest.MustFail(t, week1Timeout, run(bad), "restored branch not ready within 2s", config.RestoreTimeout, "is init")
	})
	t.Run("fault=branch has no URI for the configured role", func(t *testing.T) {
		env, f, _ := restoreEnv(t, l, pgrestore.Options{})
		f.Update(func(st *neonfake.State) { st.BranchNames = func() (string, string) { return "neondb", "neondb_owner" } })
		checktest.MustFail(t, week1Timeout, run(env), "cannot inspect the restore", "-wk4-restore")
	})
	t.Run("fault=restored branch's compute unreachable", func(t *testing.T) {
		env, f, _ := restoreEnv(t, l, pgrestore.Options{})
		addr := checktest.ClosedPort(t)
		f.Update(func(st *neonfake.State) {
			create := st.OnCreate
			st.OnCreate = func(name string, at time.Time) (string, error) {
				dsn, err := create(name, at)
				if err != nil {
					return dsn, err
				}
				u, _ := url.Parse(dsn)
				u.Host = addr
				return u.String(), nil
			}
		})
		checktest.MustFail(t, week1Timeout, run(env), "WK-4: restored branch", addr)
	})
	t.Run("fault=restored branch lacks a schema version", func(t *testing.T) {
		env, _, _ := restoreEnv(t, l, pgrestore.Options{LoseRows: map[string]int{"schema_versions": 1}})
		checktest.MustFail(t, week1Timeout, run(env), "restored branch: schema_versions lacks")
	})
	t.Run("fault=invariant trigger disabled", func(t *testing.T) {
		l2 := newLedger(t, 1)
		tr := dbcheck.InvariantTriggers[1]
		l2.fault(t, "ALTER TABLE "+tr.Table+" DISABLE TRIGGER "+tr.Name)
		env, _, _ := restoreEnv(t, l2, pgrestore.Options{})
		checktest.MustFail(t, week1Timeout, run(env), "restored branch: invariant triggers missing or disabled: "+tr.Name)
	})
	t.Run("fault=restored copy lacks the migration ledger", func(t *testing.T) {
		env, _, _ := restoreEnv(t, l, pgrestore.Options{LoseTables: []string{"applied_migrations"}})
		bad := env.MustWith(map[string]string{config.RestoreTables: "users,tasks,escrows"})
		checktest.MustFail(t, week1Timeout, run(bad), "restored branch: database", `relation "applied_migrations" does not exist`)
	})
	t.Run("fault=no row older than the restore point", func(t *testing.T) {
		env, _, _ := restoreEnv(t, l, pgrestore.Options{})
		bad := env.MustWith(map[string]string{config.RestoreTables: "xp_ledger"}) // compared tables that hold no row yet
		mustStatus(t, checktest.MustFail(t, week1Timeout, run(bad), "no compared table has rows older than the restore point", config.RestorePointAgo), "unverified")
	})
}

// apiServed makes the API serve a request, so Railway's edge has logged
// one (WK-5 reads an HTTP log holding nothing at all as a blind source).
func apiServed(t *testing.T, env *target.Env) {
	t.Helper()
	resp, err := http.Get(env.Cfg.Get(config.BaseURL) + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// TestSelfWK5PerClient (issue 13 §2): a week of 429s to one client is seen in
// a source that keeps the week (Railway's HTTP logs, srcIp/httpStatus), not
// in the limiter's 60 s Redis counters; without such a source the row is
// unverified, never a pass.
func TestSelfWK5PerClient(t *testing.T) {
	w, env := harness.World(t)
	rurl := redisDB(t, w, "12")
	opt, _ := redis.ParseURL(rurl)
	rdb := redis.NewClient(opt)
	ctx := context.Background()
	rdb.FlushDB(ctx)
	rdb.Set(ctx, "rate:public:ip:198.51.100.7", 12, time.Minute)
	t.Cleanup(func() { rdb.FlushDB(context.Background()); rdb.Close() })
	healthy := env.MustWith(map[string]string{config.RedisURL: rurl})
	run := func(e *target.Env) func(check.T) { return func(ct check.T) { postlaunch.RateLimitPatterns(ct, e) } }
	apiServed(t, env)
	r := checktest.MustPass(t, metricsTimeout, run(healthy))
	if !strings.HasPrefix(r.Attrs["evidence.http_logs"], "Railway HTTP logs of") {
		t.Fatalf("evidence http_logs = %q", r.Attrs["evidence.http_logs"])
	}

	t.Run("fault=a week of 429s to one client", func(t *testing.T) {
		rw := w.Railway
		var saved []railwayfake.HTTPLog
		var dep *railwayfake.Deployment
		rw.Update(func(s *railwayfake.State) {
			for _, d := range s.Deployments {
				if d.Status == railwayfake.StatusSuccess && (dep == nil || d.CreatedAt.After(dep.CreatedAt)) {
					dep = d
				}
			}
			saved = dep.HTTPLogs
			now := time.Now()
			// one client throttled every 5 minutes for six days: 1728 429s, never
			// more than a few in any 60 s window of the limiter's counters
			for at := now.Add(-6 * 24 * time.Hour); at.Before(now); at = at.Add(5 * time.Minute) {
				dep.HTTPLogs = append(dep.HTTPLogs, railwayfake.NewHTTPLog(dep.ID, "POST", "/trpc/task.create", "203.0.113.77", 429, at))
			}
		})
		t.Cleanup(func() { rw.Update(func(*railwayfake.State) { dep.HTTPLogs = saved }) })
		r := checktest.MustFail(t, metricsTimeout, run(healthy), "client 203.0.113.x: 1728 429s in 168h0m0s (Railway HTTP logs)")
		if strings.Contains(r.Text(), "203.0.113.77") {
			t.Fatalf("report shows the full IP: %s", r.Text())
		}
	})
	t.Run("fault=no per-client source for the week", func(t *testing.T) {
		bad := healthy.MustWith(map[string]string{config.RailwayToken: "", config.RailwayAPIToken: ""})
		mustStatus(t, checktest.MustFail(t, metricsTimeout, run(bad), "cannot see rate-limit abuse per client over 168h0m0s", "no per-client source that keeps 168h0m0s", config.RailwayToken), "unverified")
	})
	t.Run("fault=Railway HTTP logs hold nothing for the week", func(t *testing.T) {
		rw := w.Railway
		rw.Update(func(s *railwayfake.State) { s.NoHTTPLogs = true })
		t.Cleanup(func() { rw.Update(func(s *railwayfake.State) { s.NoHTTPLogs = false }) })
		mustStatus(t, checktest.MustFail(t, metricsTimeout, run(healthy), "hold no request at all since", "does not keep the period"), "unverified")
	})
	t.Run("fault=more deployments in the week than WK-5 lists", func(t *testing.T) {
		rw := w.Railway
		var saved []*railwayfake.Deployment
		rw.Update(func(s *railwayfake.State) {
			saved = s.Deployments
			cur := s.Deployments[len(s.Deployments)-1]
			ds := append([]*railwayfake.Deployment(nil), s.Deployments...)
			for i := 0; i < 60; i++ { // a redeploy every two hours for five days
				d := *cur
				d.ID, d.Status, d.CreatedAt = fmt.Sprintf("dep-redeploy-%03d", i), railwayfake.StatusRemoved, time.Now().Add(-time.Duration(3+2*i)*time.Hour)
				d.Logs, d.HTTPLogs = nil, nil
				ds = append(ds, &d)
			}
			s.Deployments = ds
		})
		t.Cleanup(func() { rw.Update(func(s *railwayfake.State) { s.Deployments = saved }) })
		mustStatus(t, checktest.MustFail(t, metricsTimeout, run(healthy), "the 50 newest deployments' HTTP logs do not reach back to"), "unverified")
	})
	t.Run("fault=Railway HTTP logs answer an error", func(t *testing.T) {
		rw := w.Railway
		rw.Update(func(s *railwayfake.State) { s.FailField = "httpLogs" })
		t.Cleanup(func() { rw.Update(func(s *railwayfake.State) { s.FailField = "" }) })
		checktest.MustFail(t, metricsTimeout, run(healthy), "WK-5: Railway HTTP logs: ", "httpLogs")
	})
	t.Run("fault=Prometheus unreachable", func(t *testing.T) {
		addr := checktest.ClosedPort(t)
		bad := healthy.MustWith(map[string]string{config.PrometheusURL: "http://" + addr})
		checktest.MustFail(t, metricsTimeout, run(bad), "WK-5 status label", addr)
	})
	t.Run("fault=route label lookup fails", func(t *testing.T) {
		var labels atomic.Int64
		bad := promFails(t, healthy, func(path, _ string) bool { return strings.HasSuffix(path, "/labels") && labels.Add(1) == 2 })
		checktest.MustFail(t, metricsTimeout, run(bad), "WK-5 route label", "503")
	})
	t.Run("fault=429 query fails", func(t *testing.T) {
		bad := promFails(t, healthy, func(path, q string) bool { return strings.HasSuffix(path, "/query") && strings.Contains(q, `="429"`) })
		checktest.MustFail(t, metricsTimeout, run(bad), "WK-5 429s by route", "503")
	})
	t.Run("fault=request metric without a route label", func(t *testing.T) {
		p, bad := ownProm(t, healthy, promfake.Options{History: time.Hour, Routes: []promfake.Route{}})
		start := time.Now().Add(-2 * time.Hour)
		p.AddSeries(map[string]string{"__name__": prom.RequestsMetric, "job": "hustlexp-api", "method": "GET", "status_code": "200"},
			start, time.Now(), func(at time.Time) float64 { return at.Sub(start).Seconds() * 5 })
		mustStatus(t, checktest.MustFail(t, metricsTimeout, run(bad), "cannot find the route label of http_requests_total", "has no route label"), "unverified")
	})
	t.Run("fault=no counter key and the request count fails", func(t *testing.T) {
		empty := redisDB(t, w, "13")
		want := rehearsalQuery(t, prom.RequestsQuery(5*time.Minute))
		bad := promFails(t, healthy.MustWith(map[string]string{config.RedisURL: empty}), func(path, q string) bool { return strings.HasSuffix(path, "/query") && q == want })
		checktest.MustFail(t, metricsTimeout, run(bad), "WK-5: requests in the last 5 min", "503")
	})
}
