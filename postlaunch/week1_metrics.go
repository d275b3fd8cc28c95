package postlaunch

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/prom"
	"github.com/hustlexp/launchcheck/internal/railway"
	"github.com/hustlexp/launchcheck/internal/target"
)

// P99Trend checks WK-2: Review P99 latency trends. Daily P99 (rolling 24 h windows
// ending now) over HUSTLEXP_TREND_DAYS days: every day under the SLA, and the
// last day at most HUSTLEXP_P99_REGRESSION_PCT above the median of the
// earlier days.
func P99Trend(t check.T, env *target.Env) {
	t.Helper()
	cfg := env.Cfg
	check.Need(t, cfg, config.PrometheusURL)
	ctx := check.Ctx(t, cfg)
	c := promClient(t, cfg)
	days := max(2, cfg.Int(config.TrendDays))
	sla := cfg.Duration(config.P99SLA)
	pct := cfg.Float(config.P99RegressionPct)
	now := time.Now()
	day := 24 * time.Hour
	start := now.Add(-time.Duration(days-1) * day)
	ws, err := c.Windows(ctx, prom.P99Query(day), prom.TimedRequestsQuery(day), start, now, day)
	if err != nil {
		t.Fatalf("WK-2 daily P99: %v", err)
	}
	min := float64(cfg.Int(config.MinRequests))
	jw, _ := prom.Judged(ws, min)
	judged := prom.AsPoints(jw)
	xs, ys := prom.XY(judged, "2006-01-02", 1000)
	check.Series(t, "p99_per_day", "ms", xs, ys)
	if len(judged) < 2 || judged[len(judged)-1].T.Before(now.Add(-time.Hour)) {
		check.Unverified(t, "%d of %d days have ≥ %.0f timed requests (%s), and the last day must be one of them: too little traffic to see a trend", len(judged), days, min, config.MinRequests)
	}
	var parts []string
	for _, p := range judged {
		d := ms(p.V)
		parts = append(parts, fmt.Sprintf("%s %s", p.T.UTC().Format("01-02"), d))
		if d >= sla {
			t.Errorf("P99 latency = %s for the 24 h ending %s UTC, want < %s (%s)", d, p.T.UTC().Format("2006-01-02 15:04"), sla, config.P99SLA)
		}
	}
	check.Evidence(t, "daily_p99", strings.Join(parts, ", "))
	last := judged[len(judged)-1]
	var earlier []float64
	for _, p := range judged[:len(judged)-1] {
		earlier = append(earlier, p.V)
	}
	med := median(earlier)
	change := (last.V/med - 1) * 100
	check.Evidence(t, "last_day_vs_median", fmt.Sprintf("%s vs median %s of %d earlier days (%+.1f%%)", ms(last.V), ms(med), len(earlier), change))
	if change > pct {
		t.Errorf("P99 regressed: last day %s is %+.1f%% over the median %s of the %d earlier days, want ≤ +%.0f%% (%s)",
			ms(last.V), change, ms(med), len(earlier), pct, config.P99RegressionPct)
	}
}

func ms(sec float64) time.Duration {
	return time.Duration(sec * float64(time.Second)).Round(time.Millisecond)
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// RateLimitPatterns checks WK-5: Review rate limit hit patterns (abuse
// detection). Over HUSTLEXP_RATE_LIMIT_DAYS, 429s by route from Prometheus
// and 429s by client IP from a source that keeps the whole period:
// Railway's HTTP logs (srcIp, httpStatus) of the deployments that served
// it. A route or a client over HUSTLEXP_RATE_LIMIT_FLAG_COUNT 429s fails the
// row. The live per-IP counters in Redis (rate:public:ip:*, walked with
// SCAN, never KEYS) hold only the current 60 s window: they add evidence
// and flag a client abusing right now, never a week. Without a per-client
// source for the period, or with counters nowhere to be found while the API
// serves traffic, the row is unverified, never a pass. The report shows the
// top 10 of each, IPs truncated.
func RateLimitPatterns(t check.T, env *target.Env) {
	t.Helper()
	cfg := env.Cfg
	check.Need(t, cfg, config.PrometheusURL, config.RedisURL)
	ctx := check.Ctx(t, cfg)
	flag := float64(cfg.Int(config.RateLimitFlagCount))
	c := promClient(t, cfg)
	now := time.Now()
	period := time.Duration(max(1, cfg.Int(config.RateLimitDays))) * 24 * time.Hour

	flagged := routes429(t, ctx, c, now, period, flag)
	clients, blindClients := clients429(t, ctx, cfg, now, period, flag)
	live, blindLive := liveCounters(t, ctx, cfg, c, now, period, flag)
	flagged = append(append(flagged, clients...), live...)
	if len(flagged) > 0 {
		t.Errorf("rate-limit hits above %s=%.0f: %s (abusive client or a limit too tight for a legitimate one)", config.RateLimitFlagCount, flag, strings.Join(flagged, "; "))
	}
	// After the verdict, so it never softens a FAIL.
	if blind := nonEmpty(blindClients, blindLive); len(blind) > 0 && !t.Failed() {
		check.Unverified(t, "cannot see rate-limit abuse per client over %s: %s", period, strings.Join(blind, "; "))
	}
}

// routes429 flags the routes with more than flag 429s over the period
// (Prometheus, the request metric by route and status).
func routes429(t check.T, ctx context.Context, c *prom.Client, now time.Time, period time.Duration, flag float64) (flagged []string) {
	t.Helper()
	lbl, err := c.StatusLabel(ctx, prom.RequestsMetric, now.Add(-period), now)
	if errors.Is(err, prom.ErrNoLabel) {
		check.Unverified(t, "cannot find the status label of %s: %v", prom.RequestsMetric, err)
	} else if err != nil {
		t.Fatalf("WK-5 status label: %v", err)
	}
	rl, err := c.RouteLabel(ctx, prom.RequestsMetric, now.Add(-period), now)
	if errors.Is(err, prom.ErrNoLabel) {
		check.Unverified(t, "cannot find the route label of %s: %v", prom.RequestsMetric, err)
	} else if err != nil {
		t.Fatalf("WK-5 route label: %v", err)
	}
	byRoute, err := c.ByLabel(ctx, fmt.Sprintf(`sum by (%s) (increase(%s{%s="429"}[%s])) > 0`, rl, prom.RequestsMetric, lbl, prom.PromDuration(period)), rl, now)
	if err != nil {
		t.Fatalf("WK-5 429s by route: %v", err)
	}
	total := 0.0
	var top []string
	for i, r := range byRoute {
		total += r.Value
		if i < 10 {
			top = append(top, fmt.Sprintf("%s %.0f", r.Label, r.Value))
		}
		if r.Value > flag {
			flagged = append(flagged, fmt.Sprintf("route %s: %.0f 429s in %s", r.Label, r.Value, period))
		}
	}
	check.Evidence(t, "429_total", fmt.Sprintf("%.0f in %s", total, period))
	check.Evidence(t, "429_by_route_top10", orNone(strings.Join(top, ", ")))
	return flagged
}

// clients429 flags the client IPs with more than flag 429s over the period
// in Railway's HTTP logs. blind says why no per-client judgement over the
// period was possible ("" when it was).
func clients429(t check.T, ctx context.Context, cfg *config.Config, now time.Time, period time.Duration, flag float64) (flagged []string, blind string) {
	t.Helper()
	rc, ok := railway.ForTokens(cfg.Get(config.RailwayAPIURL), cfg.Get(config.RailwayToken), cfg.Get(config.RailwayAPIToken), cfg.Duration(config.HTTPTimeout))
	if !ok || cfg.Get(config.RailwayProjectID) == "" {
		return nil, fmt.Sprintf("no per-client source that keeps %s: set %s (or %s) and %s to read Railway's HTTP logs (srcIp, httpStatus)",
			period, config.RailwayToken, config.RailwayAPIToken, config.RailwayProjectID)
	}
	h, err := railwayHTTP429s(ctx, rc, cfg, now.Add(-period), now)
	if err != nil {
		t.Fatalf("WK-5: Railway HTTP logs: %v", err)
	}
	check.Evidence(t, "http_logs", fmt.Sprintf("Railway HTTP logs of %d deployments since %s: %d 429s from %d clients", h.deployments, now.Add(-period).UTC().Format(time.RFC3339), h.total, len(h.byIP)))
	if !h.anyLine {
		return nil, fmt.Sprintf("Railway's HTTP logs of %d deployments hold no request at all since %s: the log store does not keep the period, or the API is not served through Railway's edge",
			h.deployments, now.Add(-period).UTC().Format(time.RFC3339))
	}
	if !h.complete {
		blind = fmt.Sprintf("the %d newest deployments' HTTP logs do not reach back to %s (more deployments in the period than WK-5 lists)",
			h.deployments, now.Add(-period).UTC().Format(time.RFC3339))
	}
	var top []string
	for i, ip := range h.sorted() {
		n := h.byIP[ip]
		at := ""
		if h.capped {
			at = "≥"
		}
		if i < 10 {
			top = append(top, fmt.Sprintf("%s %s%d", TruncateIP(ip), at, n))
		}
		if float64(n) > flag {
			flagged = append(flagged, fmt.Sprintf("client %s: %s%d 429s in %s (Railway HTTP logs)", TruncateIP(ip), at, n, period))
		}
	}
	check.Evidence(t, "429_by_client_top10", orNone(strings.Join(top, ", ")))
	return flagged, blind
}

// liveCounters reads the limiter's per-IP counters of the current window
// (Redis) and flags an IP over the limit by more than flag. blind says why
// they prove nothing: no key at all while the API serves traffic.
func liveCounters(t check.T, ctx context.Context, cfg *config.Config, c *prom.Client, now time.Time, period time.Duration, flag float64) (flagged []string, blind string) {
	t.Helper()
	limit := cfg.Int(config.ExpectedRateLimit)
	if limit <= 0 {
		limit = 60 // contract §7.2
	}
	ips, scanned, err := scanRateCounters(ctx, cfg, cfg.Get(config.RateLimitKeyMatch))
	if err != nil {
		t.Fatalf("WK-5: Redis SCAN %s: %v", cfg.Get(config.RateLimitKeyMatch), err)
	}
	var topIP []string
	for i, ip := range ips {
		over := ip.count - int64(limit)
		if i < 10 {
			topIP = append(topIP, fmt.Sprintf("%s %d (429s %d)", TruncateIP(ip.ip), ip.count, maxI(0, over)))
		}
		if float64(over) > flag {
			flagged = append(flagged, fmt.Sprintf("IP %s: %d requests in the current window, %d over the limit of %d", TruncateIP(ip.ip), ip.count, over, limit))
		}
	}
	check.Evidence(t, "ip_counters", fmt.Sprintf("%d keys scanned (current window only; the %s judgement comes from the route metric and the HTTP logs)", scanned, period))
	check.Evidence(t, "ip_top10", orNone(strings.Join(topIP, ", ")))
	if scanned > 0 {
		return flagged, ""
	}
	// None at all while the API serves traffic: the pattern misses the limiter's keys.
	live, err := c.Requests(ctx, now, 5*time.Minute)
	if err != nil {
		t.Fatalf("WK-5: requests in the last 5 min: %v", err)
	}
	if live > 0 {
		blind = fmt.Sprintf("no Redis key matches %s=%q while Prometheus counts %.0f requests in the last 5 min: the limiter keeps its per-IP counters under another name (set %s to their pattern)",
			config.RateLimitKeyMatch, cfg.Get(config.RateLimitKeyMatch), live, config.RateLimitKeyMatch)
	}
	return flagged, blind
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func maxI(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

type ipCount struct {
	ip    string
	count int64
}

// scanRateCounters walks keys matching pattern with SCAN (never KEYS) and
// reads their integer counters; it returns them sorted by count.
func scanRateCounters(ctx context.Context, cfg *config.Config, pattern string) ([]ipCount, int, error) {
	opt, err := redis.ParseURL(cfg.Get(config.RedisURL))
	if err != nil {
		return nil, 0, fmt.Errorf("parse %s: %v", config.RedisURL, err)
	}
	to := cfg.Duration(config.HTTPTimeout)
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout, opt.MaxRetries = to, to, to, 0
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	prefix := strings.TrimSuffix(pattern, "*")
	var out []ipCount
	var cursor uint64
	scanned := 0
	for {
		keys, next, err := rdb.Scan(ctx, cursor, pattern, 1000).Result()
		if err != nil {
			return nil, scanned, fmt.Errorf("%s: %v", opt.Addr, err)
		}
		scanned += len(keys)
		if len(keys) > 0 {
			vals, err := rdb.MGet(ctx, keys...).Result()
			if err != nil {
				return nil, scanned, fmt.Errorf("%s MGET: %v", opt.Addr, err)
			}
			for i, v := range vals {
				s, ok := v.(string)
				if !ok {
					continue
				}
				n, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					continue
				}
				ip := keys[i]
				if j := strings.Index(ip, prefix); j >= 0 && prefix != "" {
					ip = ip[j+len(prefix):]
				}
				out = append(out, ipCount{ip, n})
			}
		}
		cursor = next
		if cursor == 0 || scanned > 1_000_000 {
			break
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].count > out[j].count })
	return out, scanned, nil
}

// TruncateIP keeps the network part of an address for the report: IPv4
// a.b.c.x, IPv6 the first three groups; anything else its first 6 characters.
func TruncateIP(s string) string {
	ip := net.ParseIP(s)
	switch {
	case ip == nil && s == "unknown": // the backend's key when it cannot tell the client IP (§7.1)
		return s
	case ip == nil:
		if len(s) > 6 {
			return s[:6] + "…"
		}
		return s
	case ip.To4() != nil:
		v4 := ip.To4()
		return fmt.Sprintf("%d.%d.%d.x", v4[0], v4[1], v4[2])
	default:
		parts := strings.Split(ip.String(), ":")
		if len(parts) > 3 {
			parts = parts[:3]
		}
		return strings.Join(parts, ":") + ":…"
	}
}
