package postlaunch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/target"
)

// Stage is one k6 stage: ramp linearly to Target VUs over Duration.
type Stage struct {
	Duration time.Duration
	Target   float64
}

// K6StressStages are the stages of ops/load-test/k6-stress.js (contract §13).
var K6StressStages = []Stage{
	{time.Minute, 10}, {2 * time.Minute, 50}, {2 * time.Minute, 100}, {time.Minute, 100}, {2 * time.Minute, 0},
}

// perVURate is one k6 VU's request rate: one request per iteration plus a
// 0.2–0.5 s sleep (mean 0.35 s) in k6-stress.js.
const perVURate = 1 / 0.35

// StressEndpoint is one request of the k6-stress.js mix.
type StressEndpoint struct {
	Path     string
	Share    int // out of 10
	Expected int // the status the script expects (detailed is hit without a bearer)
}

// StressMix is k6-stress.js's request mix: 50 % /health, 30 % readiness,
// 20 % /health/detailed without an Authorization header (401 expected).
var StressMix = []StressEndpoint{
	{"/health", 5, http.StatusOK}, {"/health/readiness", 3, http.StatusOK}, {"/health/detailed", 2, http.StatusUnauthorized},
}

// stagePacer paces vegeta hits at perVURate × VUs(t), VUs ramping linearly
// between stage targets as k6 does.
type stagePacer struct{ stages []Stage }

func (p stagePacer) total() time.Duration {
	var d time.Duration
	for _, s := range p.stages {
		d += s.Duration
	}
	return d
}

// hitsAt integrates the rate up to t.
func (p stagePacer) hitsAt(t time.Duration) float64 {
	var h, from float64
	var at time.Duration
	for _, s := range p.stages {
		d := s.Duration
		if t <= at {
			break
		}
		span := min(d, t-at)
		frac := span.Seconds() / d.Seconds()
		to := from + (s.Target-from)*frac
		h += (from + to) / 2 * span.Seconds() * perVURate
		at += d
		from = s.Target
	}
	return h
}

func (p stagePacer) Rate(elapsed time.Duration) float64 {
	var from float64
	var at time.Duration
	for _, s := range p.stages {
		if elapsed < at+s.Duration {
			frac := (elapsed - at).Seconds() / s.Duration.Seconds()
			return (from + (s.Target-from)*frac) * perVURate
		}
		at += s.Duration
		from = s.Target
	}
	return 0
}

func (p stagePacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	total := p.total()
	if elapsed >= total {
		return 0, true
	}
	if float64(hits) < p.hitsAt(elapsed) {
		return 0, false
	}
	// Find when hits+1 are due (bisection on the monotone integral).
	want := float64(hits) + 1
	if p.hitsAt(total) < want {
		return total - elapsed, true
	}
	lo, hi := elapsed, total
	for i := 0; i < 40 && hi-lo > time.Millisecond; i++ {
		mid := (lo + hi) / 2
		if p.hitsAt(mid) < want {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi - elapsed, false
}

// StressResult is what the native stress run observed.
type StressResult struct {
	Sent, Failed, Limited int
	P95, P99, Max         time.Duration
	Elapsed               time.Duration
	FailCodes             map[string]int
	Latencies             []time.Duration
	Seconds               map[int][]time.Duration // latencies per elapsed second
}

// ScaledStages applies the time and VU factors to K6StressStages.
func ScaledStages(timeScale, vuScale float64) []Stage {
	out := make([]Stage, len(K6StressStages))
	for i, s := range K6StressStages {
		d := time.Duration(float64(s.Duration) * timeScale)
		if d < 100*time.Millisecond {
			d = 100 * time.Millisecond
		}
		out[i] = Stage{d, s.Target * vuScale}
	}
	return out
}

// RunStress attacks baseURL with the k6-stress mix along stages.
func RunStress(ctx context.Context, baseURL string, stages []Stage, timeout time.Duration, tag string) (*StressResult, error) {
	base := strings.TrimRight(baseURL, "/")
	var seq []StressEndpoint
	for _, e := range StressMix {
		for i := 0; i < e.Share; i++ {
			seq = append(seq, e)
		}
	}
	order := []int{0, 5, 8, 1, 6, 2, 9, 3, 7, 4} // interleave the 5/3/2 mix
	var n atomic.Uint64
	expected := map[string]int{}
	for _, e := range StressMix {
		expected[base+e.Path] = e.Expected
	}
	targeter := func(tgt *vegeta.Target) error {
		i := n.Add(1) - 1
		e := seq[order[i%10]]
		tgt.Method, tgt.URL = http.MethodGet, base+e.Path
		tgt.Header = http.Header{"User-Agent": {"launchcheck-stress"}, "X-Request-Id": {fmt.Sprintf("%s-wk1-%d", tag, i)}}
		return nil
	}
	peak := 0.0
	for _, s := range stages {
		peak = math.Max(peak, s.Target)
	}
	client := &http.Client{Timeout: timeout,
		Transport:     &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 512, IdleConnTimeout: 30 * time.Second, TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	atk := vegeta.NewAttacker(vegeta.Client(client), vegeta.Workers(uint64(max(1, int(peak)))), vegeta.MaxWorkers(uint64(max(4, int(peak)*4))), vegeta.MaxBody(16<<10))
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	pacer := stagePacer{stages}
	res := &StressResult{FailCodes: map[string]int{}, Seconds: map[int][]time.Duration{}}
	start := time.Now()
	for r := range atk.Attack(vegeta.Targeter(targeter), pacer, pacer.total(), tag+"-wk1") {
		res.Sent++
		res.Latencies = append(res.Latencies, r.Latency)
		sec := int(r.Timestamp.Sub(start) / time.Second)
		res.Seconds[sec] = append(res.Seconds[sec], r.Latency)
		path := strings.TrimPrefix(r.URL, base)
		switch code := int(r.Code); {
		case code == http.StatusTooManyRequests:
			res.Limited++
			res.Failed++ // k6 counts a 429 in http_req_failed too
		case code == 0:
			res.Failed++
			res.FailCodes["no response "+path]++
		case code != expected[r.URL]:
			res.Failed++
			res.FailCodes[fmt.Sprintf("%d %s", code, path)]++
		}
	}
	res.Elapsed = time.Since(start)
	res.P95, res.P99, res.Max = quantile(res.Latencies, 0.95), quantile(res.Latencies, 0.99), quantile(res.Latencies, 1)
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("stress run stopped after %s: %w", res.Elapsed.Round(time.Millisecond), err)
	}
	return res, nil
}

func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(math.Ceil(q*float64(len(s))))-1]
}

// inWindow reports whether now (UTC) is inside "HH:MM-HH:MM" (may wrap midnight).
func inWindow(spec string, now time.Time) (bool, error) {
	a, b, ok := strings.Cut(spec, "-")
	pa, err1 := time.Parse("15:04", strings.TrimSpace(a))
	pb, err2 := time.Parse("15:04", strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil {
		return false, fmt.Errorf("%s %q is not HH:MM-HH:MM (UTC)", config.StressWindow, spec)
	}
	m := now.UTC().Hour()*60 + now.UTC().Minute()
	from, to := pa.Hour()*60+pa.Minute(), pb.Hour()*60+pb.Minute()
	if from <= to {
		return m >= from && m < to, nil
	}
	return m >= from || m < to, nil
}

// StressOffPeak checks WK-1: Run `k6-stress.js` against production (off-peak
// hours). The native equivalent (vegeta, the script's stages scaled by
// HUSTLEXP_STRESS_TIME_SCALE / _VU_SCALE, its request mix) must keep the
// failure rate < 5 %, p95 < 1 s and fewer than 100 429s; when k6 is on PATH
// the script itself runs too and its threshold verdict counts. Against
// production it refuses to run outside HUSTLEXP_STRESS_WINDOW or without
// HUSTLEXP_ALLOW_STRESS=1.
func StressOffPeak(t check.T, env *target.Env) {
	t.Helper()
	cfg := env.Cfg
	check.Need(t, cfg, config.BaseURL)
	now := time.Now()
	if cfg.Target == config.Production {
		if !cfg.Bool(config.AllowStress) {
			check.Unverified(t, "refusing to stress production without %s=1", config.AllowStress)
		}
		ok, err := inWindow(cfg.Get(config.StressWindow), now)
		if err != nil {
			t.Fatalf("WK-1: %v", err)
		}
		if !ok {
			check.Unverified(t, "refusing to stress production at %s UTC, outside the off-peak window %s (%s)", now.UTC().Format("15:04"), cfg.Get(config.StressWindow), config.StressWindow)
		}
	}
	timeScale, vuScale := 1.0, 1.0
	if !cfg.Live() {
		timeScale, vuScale = 0.01, 0.1
	}
	if cfg.Has(config.StressTimeScale) {
		timeScale = cfg.Float(config.StressTimeScale)
	}
	if cfg.Has(config.StressVUScale) {
		vuScale = cfg.Float(config.StressVUScale)
	}
	stages := ScaledStages(timeScale, vuScale)
	var total time.Duration
	var desc []string
	for _, s := range stages {
		total += s.Duration
		desc = append(desc, fmt.Sprintf("%s→%.0f", s.Duration.Round(10*time.Millisecond), s.Target))
	}
	check.Evidence(t, "stages", strings.Join(desc, ", ")+fmt.Sprintf(" VUs (≈%.1f req/s per VU)", perVURate))
	ctx, cancel := context.WithTimeout(t.Context(), total+cfg.Duration(config.CheckTimeout))
	defer cancel()

	maxFail, p95Max, max429 := cfg.Float(config.StressMaxFailPct), cfg.Duration(config.StressP95), cfg.Int(config.StressMax429)
	res, err := RunStress(ctx, cfg.Get(config.BaseURL), stages, cfg.Duration(config.HTTPTimeout), env.Tag())
	if err != nil {
		t.Fatalf("WK-1: %v", err)
	}
	if res.Sent == 0 {
		t.Fatalf("WK-1: the stress run sent no request in %s", res.Elapsed)
	}
	failPct := float64(res.Failed) / float64(res.Sent) * 100
	check.Evidence(t, "requests", fmt.Sprintf("%d in %s (peak %.1f req/s)", res.Sent, res.Elapsed.Round(time.Millisecond), stagePacer{stages}.peakRate()))
	check.Evidence(t, "failure_rate", fmt.Sprintf("%.2f%% (%d)", failPct, res.Failed))
	check.Evidence(t, "latency", fmt.Sprintf("p95=%s p99=%s max=%s", res.P95.Round(time.Millisecond), res.P99.Round(time.Millisecond), res.Max.Round(time.Millisecond)))
	check.Evidence(t, "rate_limited", res.Limited)
	var xs []string
	var ys []float64
	for s := 0; s <= int(res.Elapsed/time.Second); s++ {
		if ls := res.Seconds[s]; len(ls) > 0 {
			xs = append(xs, fmt.Sprintf("+%ds", s))
			ys = append(ys, float64(quantile(ls, 0.95).Microseconds())/1000)
		}
	}
	check.Series(t, "stress_p95_latency", "ms", xs, ys)
	if failPct >= maxFail {
		t.Errorf("stress: http_req_failed = %.2f%% (%d of %d; %s), want < %.0f%% (%s)", failPct, res.Failed, res.Sent, codes(res.FailCodes, res.Limited), maxFail, config.StressMaxFailPct)
	}
	if res.P95 >= p95Max {
		t.Errorf("stress: p95 latency = %s, want < %s (%s)", res.P95.Round(time.Millisecond), p95Max, config.StressP95)
	}
	if res.Limited >= max429 {
		t.Errorf("stress: %d responses were 429, want < %d (%s): the rate limiter throttles the load test's own IP", res.Limited, max429, config.StressMax429)
	}
	runK6(t, env, ctx, timeScale)
}

func (p stagePacer) peakRate() float64 {
	m := 0.0
	for _, s := range p.stages {
		m = math.Max(m, s.Target)
	}
	return m * perVURate
}

func codes(m map[string]int, limited int) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, v))
	}
	sort.Strings(parts)
	if limited > 0 {
		parts = append(parts, fmt.Sprintf("429 ×%d", limited))
	}
	if len(parts) == 0 {
		return "no failures"
	}
	return strings.Join(parts, ", ")
}

// runK6 runs the real script when k6 is on PATH and the stages are not
// scaled down (k6 cannot scale the script's stages).
func runK6(t check.T, env *target.Env, ctx context.Context, timeScale float64) {
	t.Helper()
	bin, err := exec.LookPath("k6")
	if err != nil {
		check.Evidence(t, "k6", "not on PATH: native run only")
		return
	}
	if timeScale < 1 {
		check.Evidence(t, "k6", fmt.Sprintf("on PATH, not run: stages scaled ×%.2f for this target (k6-stress.js runs 8 minutes)", timeScale))
		return
	}
	script := env.Cfg.Get(config.StressScript)
	if script == "" && env.Cfg.Get(config.RepoDir) != "" {
		script = filepath.Join(env.Cfg.Get(config.RepoDir), "ops", "load-test", "k6-stress.js")
	}
	if _, err := os.Stat(script); script == "" || err != nil {
		t.Errorf("k6 is on PATH but the stress script is missing (set %s or %s): %v", config.StressScript, config.RepoDir, err)
		return
	}
	cmd := exec.CommandContext(ctx, bin, "run", "--quiet", "--no-color", "-e", "BASE_URL="+env.Cfg.Get(config.BaseURL), script)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		check.Evidence(t, "k6", "k6-stress.js thresholds passed")
	case errors.As(err, &ee) && ee.ExitCode() == 99:
		t.Errorf("k6 run %s: thresholds crossed (exit 99): %s", filepath.Base(script), oneLine(tail(string(out), 400), 400))
	default:
		t.Errorf("k6 run %s: %v: %s", filepath.Base(script), err, oneLine(tail(string(out), 400), 400))
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
