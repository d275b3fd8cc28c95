//go:build !prelaunch && !t0 && !day1 && !week1

package postlaunch_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hustlexp/launchcheck/fixtures/fakes/promfake"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/postlaunch"
)

const metricsTimeout = 90 * time.Second

// plPrivateProm starts a Prometheus fake of its own: faults never reach the
// shared one.
func plPrivateProm(t *testing.T, env *target.Env, history time.Duration) (*promfake.Fake, *target.Env) {
	t.Helper()
	p := promfake.Run(t, promfake.With(promfake.Options{History: history}))
	return p, env.MustWith(map[string]string{config.PrometheusURL: p.URL})
}

func TestSelfDAY1ErrorRate24h(t *testing.T) {
	_, env := harness.World(t)
	r := checktest.MustPass(t, metricsTimeout, func(ct check.T) { postlaunch.ErrorRateMonitored(ct, env) })
	if r.Attrs["evidence.worst_window"] == "" || r.Attrs["series.error_rate_24h"] == "" {
		t.Fatalf("evidence: %v", r.Attrs)
	}
	t.Run("fault=error spike at 03:00", func(t *testing.T) {
		p, bad := plPrivateProm(t, env, 26*time.Hour)
		now := time.Now().UTC()
		// 03:00 today, else 03:00 yesterday; between 03:00 and 03:20 UTC
		// neither is both complete and inside the last 24 h: 02:00 today.
		var at time.Time
		for _, c := range []time.Time{
			time.Date(now.Year(), now.Month(), now.Day(), 3, 0, 0, 0, time.UTC),
			time.Date(now.Year(), now.Month(), now.Day()-1, 3, 0, 0, 0, time.UTC),
			time.Date(now.Year(), now.Month(), now.Day(), 2, 0, 0, 0, time.UTC),
		} {
			if !c.Add(10*time.Minute).After(now.Add(-20*time.Minute)) && !c.Before(now.Add(-23*time.Hour)) {
				at = c
				break
			}
		}
		if err := p.ErrorBurst(0.05, at, at.Add(10*time.Minute)); err != nil {
			t.Fatal(err)
		}
		checktest.MustFail(t, metricsTimeout, func(ct check.T) { postlaunch.ErrorRateMonitored(ct, bad) }, "5xx error rate reached", at.Format("2006-01-02 03:"))
	})
	for _, tc := range []struct {
		name     string
		noScrape bool
		why      string
	}{
		{"fault=one-hour gap with no data", true, "no up{job=\"hustlexp-api\"} sample"},
		{"fault=one-hour outage, up = 0", false, "up{job=\"hustlexp-api\"} = 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The API served nothing for an hour ten hours ago: no request was
			// recorded, so no window had an error; before, those windows were
			// "quiet" and the row passed.
			at := time.Now().UTC().Add(-10 * time.Hour).Truncate(time.Hour)
			p := promfake.Run(t, promfake.With(promfake.Options{History: 26 * time.Hour, Outages: []promfake.Outage{{Start: at, End: at.Add(time.Hour), NoScrape: tc.noScrape}}}))
			bad := env.MustWith(map[string]string{config.PrometheusURL: p.URL})
			r := checktest.MustFail(t, metricsTimeout, func(ct check.T) { postlaunch.ErrorRateMonitored(ct, bad) },
				"API unavailable in 1", at.Format("01-02 "), tc.why, "an outage is not a quiet period") // windows end at now − k·5m: the span named (≈ 1 h) depends on where they fall
			if r.Status() != "fail" {
				t.Fatalf("status %s, want fail", r.Status())
			}
		})
	}
	t.Run("explicit probe selector", func(t *testing.T) {
		p := promfake.Run(t, promfake.With(promfake.Options{History: 26 * time.Hour}))
		now := time.Now()
		p.AddSeries(map[string]string{"__name__": "probe_success", "instance": "https://api.example/health"}, now.Add(-26*time.Hour), now.Add(-3*time.Hour), func(time.Time) float64 { return 1 })
		bad := env.MustWith(map[string]string{config.PrometheusURL: p.URL, config.UpSelector: `probe_success{instance="https://api.example/health"}`})
		checktest.MustFail(t, metricsTimeout, func(ct check.T) { postlaunch.ErrorRateMonitored(ct, bad) }, "API unavailable in", `no probe_success{instance="https://api.example/health"} sample`)
	})
	t.Run("fault=too little traffic", func(t *testing.T) {
		p := promfake.Run(t, promfake.With(promfake.Options{History: 26 * time.Hour, Routes: []promfake.Route{{Method: "GET", Route: "/trpc/x", RPS: 0.001, Statuses: map[string]float64{"200": 1}}}}))
		quiet := env.MustWith(map[string]string{config.PrometheusURL: p.URL})
		r := checktest.MustFail(t, metricsTimeout, func(ct check.T) { postlaunch.ErrorRateMonitored(ct, quiet) }, "too little traffic")
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
}

func TestSelfWK2P99Trend(t *testing.T) {
	_, env := harness.World(t)
	r := checktest.MustPass(t, metricsTimeout, func(ct check.T) { postlaunch.P99Trend(ct, env) })
	if !strings.Contains(r.Attrs["series.p99_per_day"], `"unit":"ms"`) {
		t.Fatalf("series: %v", r.Attrs)
	}
	t.Run("fault=30% P99 regression on the last day", func(t *testing.T) {
		p, bad := plPrivateProm(t, env, 8*24*time.Hour)
		if err := p.SlowTraffic(450*time.Millisecond, 0.015, time.Now().Add(-25*time.Hour), time.Time{}); err != nil {
			t.Fatal(err)
		}
		checktest.MustFail(t, metricsTimeout, func(ct check.T) { postlaunch.P99Trend(ct, bad) }, "P99 regressed", "HUSTLEXP_P99_REGRESSION_PCT")
	})
	t.Run("fault=too little traffic", func(t *testing.T) {
		p := promfake.Run(t, promfake.With(promfake.Options{History: 8 * 24 * time.Hour, Routes: []promfake.Route{{Method: "GET", Route: "/trpc/x", RPS: 0.002, Statuses: map[string]float64{"200": 1}}}}))
		quiet := env.MustWith(map[string]string{config.PrometheusURL: p.URL})
		r := checktest.MustFail(t, metricsTimeout, func(ct check.T) { postlaunch.P99Trend(ct, quiet) }, "0 of 7 days have ≥ 300 timed requests", "too little traffic")
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
	t.Run("fault=one day over the SLA", func(t *testing.T) {
		p, bad := plPrivateProm(t, env, 8*24*time.Hour)
		now := time.Now()
		if err := p.SlowTraffic(700*time.Millisecond, 0.05, now.Add(-4*24*time.Hour), now.Add(-3*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		checktest.MustFail(t, metricsTimeout, func(ct check.T) { postlaunch.P99Trend(ct, bad) }, "want < 500ms")
	})
	t.Run("fault=too little traffic on the last day too", func(t *testing.T) {
		p := promfake.Run(t, promfake.With(promfake.Options{History: 8 * 24 * time.Hour, Routes: []promfake.Route{{Method: "GET", Route: "/trpc/x", RPS: 0.0005, Statuses: map[string]float64{"200": 1}}}}))
		quiet := env.MustWith(map[string]string{config.PrometheusURL: p.URL})
		r := checktest.MustFail(t, metricsTimeout, func(ct check.T) { postlaunch.P99Trend(ct, quiet) }, "too little traffic to see a trend")
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
	t.Run("fault=Prometheus unreachable", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.PrometheusURL: "http://127.0.0.1:1"})
		checktest.MustFail(t, metricsTimeout, func(ct check.T) { postlaunch.P99Trend(ct, bad) }, "127.0.0.1:1")
	})
}

func TestSelfWK5RateLimitPatterns(t *testing.T) {
	w, env := harness.World(t)
	rurl := redisDB(t, w, "8")
	opt, _ := redis.ParseURL(rurl)
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	ctx := context.Background()
	rdb.FlushDB(ctx)
	t.Cleanup(func() { rdb.FlushDB(context.Background()) })
	for ip, n := range map[string]int{"198.51.100.7": 42, "2001:db8:85a3::8a2e:370:7334": 12, "203.0.113.9": 3} {
		rdb.Set(ctx, "rate:public:ip:"+ip, n, time.Minute)
	}
	rdb.Set(ctx, "unrelated:key", "x", time.Minute)
	healthy := env.MustWith(map[string]string{config.RedisURL: rurl})
	apiServed(t, env)
	r := checktest.MustPass(t, metricsTimeout, func(ct check.T) { postlaunch.RateLimitPatterns(ct, healthy) })
	top := r.Attrs["evidence.ip_top10"]
	if !strings.HasPrefix(top, "198.51.100.x 42") || strings.Contains(top, "198.51.100.7") || !strings.Contains(top, "2001:db8:85a3:…") {
		t.Fatalf("ip_top10 = %q, want truncated IPs by count", top)
	}
	if !strings.HasPrefix(r.Attrs["evidence.ip_counters"], "3 keys scanned") {
		t.Fatalf("ip_counters = %q", r.Attrs["evidence.ip_counters"])
	}

	t.Run("fault=one IP with 10k 429s", func(t *testing.T) {
		rdb.Set(ctx, "rate:public:ip:203.0.113.77", 10000+600, time.Minute)
		t.Cleanup(func() { rdb.Del(context.Background(), "rate:public:ip:203.0.113.77") })
		r := checktest.MustFail(t, metricsTimeout, func(ct check.T) { postlaunch.RateLimitPatterns(ct, healthy) }, "IP 203.0.113.x", "10000 over the limit")
		if strings.Contains(r.Text(), "203.0.113.77") {
			t.Fatalf("report shows the full IP: %s", r.Text())
		}
	})
	t.Run("fault=429 flood on one route", func(t *testing.T) {
		p, bad := plPrivateProm(t, healthy, 8*24*time.Hour)
		now := time.Now()
		if err := p.TooManyRequests("POST", "/trpc/task.create", 5000, now.Add(-3*24*time.Hour), now.Add(-2*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		checktest.MustFail(t, metricsTimeout, func(ct check.T) { postlaunch.RateLimitPatterns(ct, bad) }, "route /trpc/task.create")
	})
	t.Run("fault=Redis unreachable", func(t *testing.T) {
		bad := env.MustWith(map[string]string{config.RedisURL: "redis://127.0.0.1:1/0"})
		checktest.MustFail(t, metricsTimeout, func(ct check.T) { postlaunch.RateLimitPatterns(ct, bad) }, "Redis SCAN", "127.0.0.1:1")
	})
	t.Run("fault=counters under another prefix while the API serves traffic", func(t *testing.T) {
		other := redisDB(t, w, "10")
		o, _ := redis.ParseURL(other)
		odb := redis.NewClient(o)
		t.Cleanup(func() { odb.FlushDB(context.Background()); odb.Close() })
		odb.Set(ctx, "rl:v2:203.0.113.9", 50000, time.Minute)
		bad := env.MustWith(map[string]string{config.RedisURL: other})
		r := checktest.MustFail(t, metricsTimeout, func(ct check.T) { postlaunch.RateLimitPatterns(ct, bad) },
			"no Redis key matches", "rate:public:ip:*", "requests in the last 5 min", config.RateLimitKeyMatch)
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
	t.Run("fault=no status label on the request metric", func(t *testing.T) {
		p := promfake.Run(t, promfake.With(promfake.Options{History: time.Hour, Routes: []promfake.Route{}}))
		bad := healthy.MustWith(map[string]string{config.PrometheusURL: p.URL})
		r := checktest.MustFail(t, metricsTimeout, func(ct check.T) { postlaunch.RateLimitPatterns(ct, bad) }, "cannot find the status label")
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
	})
	t.Run("fault=Prometheus unreachable", func(t *testing.T) {
		bad := healthy.MustWith(map[string]string{config.PrometheusURL: "http://127.0.0.1:1"})
		checktest.MustFail(t, metricsTimeout, func(ct check.T) { postlaunch.RateLimitPatterns(ct, bad) }, "127.0.0.1:1")
	})
}
