package smoke

import (
	"context"
	"crypto/tls"
	"encoding/json"
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

	"github.com/hustlexp/launchcheck/internal/hxapi"
)

// SmokeEndpoints are the three endpoints of ops/load-test/k6-smoke.js, in its iteration order.
var SmokeEndpoints = []string{"/health", "/health/readiness", "/health/liveness"}

// RateLimitWindow is the public limiter's fixed window (contract §7.2).
const RateLimitWindow = 60 * time.Second

// LoadPlan is what the native stage will send.
type LoadPlan struct {
	Rate     float64 // requests per second (open model)
	Duration time.Duration
	Limit    int    // X-RateLimit-Limit seen on the probe (0: none)
	Reason   string // why Rate differs from the configured rate
}

// Requests is the planned number of requests.
func (p LoadPlan) Requests() int { return int(math.Floor(p.Rate * p.Duration.Seconds())) }

// PlanLoad lowers the configured rate so the stage stays under the target's
// per-IP limit: at most (limit − reserve) per window, and no more than what
// is left of the current window (remaining − reserve). The reserve (10 % of
// the limit, at least 2) keeps room for the other checks of the run.
func PlanLoad(rate float64, duration time.Duration, limit, remaining int, ignore bool) LoadPlan {
	p := LoadPlan{Rate: rate, Duration: duration, Limit: limit}
	if limit <= 0 || ignore {
		if limit > 0 {
			p.Reason = fmt.Sprintf("rate limit %d/%s ignored (HUSTLEXP_LOAD_IGNORE_RATE_LIMIT=1)", limit, RateLimitWindow)
		}
		return p
	}
	reserve := max(2, limit/10)
	capRate := float64(limit-reserve) / RateLimitWindow.Seconds()
	first := min(duration, RateLimitWindow).Seconds()
	leftRate := float64(remaining-reserve) / first
	newRate := min(rate, capRate, leftRate)
	if newRate < 0 {
		newRate = 0
	}
	if newRate < rate {
		p.Rate = newRate
		p.Reason = fmt.Sprintf("lowered from %.1f/s to %.2f/s to stay under X-RateLimit-Limit=%d per %s (%d remaining, %d kept in reserve)",
			rate, newRate, limit, RateLimitWindow, remaining, reserve)
	}
	return p
}

// Sample is one answered or failed request of the stage.
type Sample struct {
	Path    string
	At      time.Duration // since the stage began
	Latency time.Duration
	Code    int // 0: no response
	Err     string
}

// LoadResult summarises a native stage.
type LoadResult struct {
	Plan      LoadPlan
	Samples   []Sample
	Sent      int
	Limited   int // 429s, reported apart from errors
	Failed    int // no response or status ≥ 400 other than 429 (k6's http_req_failed)
	FailCodes map[string]int
	Elapsed   time.Duration
}

// Answered is the number of requests that were not rate-limited.
func (r *LoadResult) Answered() int { return r.Sent - r.Limited }

// FailedRate is http_req_failed over the non-429 requests.
func (r *LoadResult) FailedRate() float64 {
	if r.Answered() == 0 {
		return 0
	}
	return float64(r.Failed) / float64(r.Answered())
}

// Latencies returns the latencies of responses (429s excluded) for path ("" = all).
func (r *LoadResult) Latencies(path string) []time.Duration {
	var out []time.Duration
	for _, s := range r.Samples {
		if s.Code == 0 || s.Code == http.StatusTooManyRequests {
			continue
		}
		if path == "" || s.Path == path {
			out = append(out, s.Latency)
		}
	}
	return out
}

// Percentile is k6's percentile: linear interpolation between closest ranks.
func Percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	pos := q * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	frac := pos - float64(lo)
	return s[lo] + time.Duration(frac*float64(s[hi]-s[lo]))
}

// LoadOptions configures RunNativeLoad.
type LoadOptions struct {
	Plan    LoadPlan
	Timeout time.Duration // per request
	NextID  func() string // X-Request-Id per request
}

// RunNativeLoad sends the k6-smoke requests (/health, /health/readiness,
// /health/liveness in turn) at a constant arrival rate for the planned
// duration with vegeta: an open model, so a slow response does not delay the
// next request and latency is not hidden by coordinated omission.
func RunNativeLoad(ctx context.Context, baseURL string, o LoadOptions) (*LoadResult, error) {
	res := &LoadResult{Plan: o.Plan, FailCodes: map[string]int{}}
	per := int(math.Round(o.Plan.Rate * 60))
	if per <= 0 || o.Plan.Duration <= 0 {
		return res, fmt.Errorf("native load stage: nothing to send (rate %.2f/s, duration %s)", o.Plan.Rate, o.Plan.Duration)
	}
	base := strings.TrimRight(baseURL, "/")
	var n atomic.Uint64
	targeter := func(tgt *vegeta.Target) error {
		i := n.Add(1) - 1
		tgt.Method = http.MethodGet
		tgt.URL = base + SmokeEndpoints[i%uint64(len(SmokeEndpoints))]
		tgt.Header = http.Header{"User-Agent": {"launchcheck-smoke"}}
		if o.NextID != nil {
			tgt.Header.Set("X-Request-Id", o.NextID())
		}
		return nil
	}
	client := &http.Client{
		Timeout: o.Timeout,
		Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			MaxIdleConnsPerHost: 256,
			IdleConnTimeout:     30 * time.Second,
			TLSClientConfig:     &tls.Config{MinVersion: tls.VersionTLS12},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	atk := vegeta.NewAttacker(vegeta.Client(client), vegeta.Workers(8), vegeta.MaxWorkers(2048), vegeta.MaxBody(64<<10))
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	start := time.Now()
	var began time.Time
	for r := range atk.Attack(vegeta.Targeter(targeter), vegeta.ConstantPacer{Freq: per, Per: time.Minute}, o.Plan.Duration, "launchcheck-smk1") {
		if began.IsZero() {
			began = r.Timestamp
		}
		path := strings.TrimPrefix(r.URL, base)
		s := Sample{Path: path, At: r.Timestamp.Sub(start), Latency: r.Latency, Code: int(r.Code), Err: r.Error}
		res.Samples = append(res.Samples, s)
		res.Sent++
		switch {
		case s.Code == http.StatusTooManyRequests:
			res.Limited++
		case s.Code == 0 || s.Code >= 400:
			res.Failed++
			key := fmt.Sprintf("%d %s", s.Code, path)
			if s.Code == 0 {
				key = "no response " + path + " (" + hxapi.Excerpt([]byte(s.Err), 80) + ")"
			}
			res.FailCodes[key]++
		}
	}
	res.Elapsed = time.Since(start)
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("native load stage stopped after %s of %s: %w", res.Elapsed.Round(time.Millisecond), o.Plan.Duration, err)
	}
	return res, nil
}

// SeriesP99 buckets the stage per second: x = "+Ns", y = p99 latency in ms.
func (r *LoadResult) SeriesP99() ([]string, []float64) {
	byS := map[int][]time.Duration{}
	last := 0
	for _, s := range r.Samples {
		if s.Code == 0 || s.Code == http.StatusTooManyRequests {
			continue
		}
		sec := int(s.At / time.Second)
		byS[sec] = append(byS[sec], s.Latency)
		last = max(last, sec)
	}
	var xs []string
	var ys []float64
	for sec := 0; sec <= last; sec++ {
		if len(byS[sec]) == 0 {
			continue
		}
		xs = append(xs, fmt.Sprintf("+%ds", sec+1))
		ys = append(ys, math.Round(float64(Percentile(byS[sec], 0.99))/1e4)/100)
	}
	return xs, ys
}

// K6Run is the outcome of `k6 run ops/load-test/k6-smoke.js`.
type K6Run struct {
	Script     string
	ExitCode   int
	Thresholds []string // "metric threshold: ok|FAILED"
	Output     string   // tail of stdout+stderr
}

// FindK6 returns the k6 binary (name looked up on PATH, or a path) and the
// smoke script, or why k6 cannot run.
func FindK6(k6, repoDir string) (bin, script, why string) {
	bin, err := exec.LookPath(k6)
	if err != nil {
		return "", "", fmt.Sprintf("k6 (%q) is not on PATH", k6)
	}
	if repoDir == "" {
		return "", "", "HUSTLEXP_REPO_DIR is not set (no ops/load-test/k6-smoke.js)"
	}
	script = filepath.Join(repoDir, "ops", "load-test", "k6-smoke.js")
	if _, err := os.Stat(script); err != nil {
		return "", "", script + " does not exist"
	}
	return bin, script, ""
}

// RunK6 runs the repository's k6 smoke script against baseURL with
// --summary-export and reads the threshold results.
func RunK6(ctx context.Context, bin, script, baseURL, dir string) (*K6Run, error) {
	summary := filepath.Join(dir, "k6-summary.json")
	cmd := exec.CommandContext(ctx, bin, "run", "--quiet", "--no-color", "--no-usage-report", "--summary-export", summary, "-e", "BASE_URL="+baseURL, script)
	out, err := cmd.CombinedOutput()
	run := &K6Run{Script: script, Output: tail(string(out), 1500)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		run.ExitCode = ee.ExitCode()
	default:
		return run, fmt.Errorf("k6 run %s: %w", script, err)
	}
	if ctx.Err() != nil {
		return run, fmt.Errorf("k6 run %s did not finish: %w", script, ctx.Err())
	}
	b, rerr := os.ReadFile(summary)
	if rerr != nil {
		return run, nil
	}
	var sum struct {
		Metrics map[string]struct {
			Thresholds map[string]bool `json:"thresholds"`
		} `json:"metrics"`
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		return run, fmt.Errorf("k6 summary %s: %v", summary, err)
	}
	for name, m := range sum.Metrics {
		for th, failed := range m.Thresholds {
			st := "ok"
			if failed {
				st = "FAILED"
			}
			run.Thresholds = append(run.Thresholds, fmt.Sprintf("%s %s: %s", name, th, st))
		}
	}
	sort.Strings(run.Thresholds)
	return run, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
