package smoke

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"path/filepath"
	"time"

	"github.com/hustlexp/launchcheck/internal/hxapi"
	"github.com/hustlexp/launchcheck/internal/load"
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
func (p LoadPlan) Requests() int { return int(math.Floor(p.Rate*p.Duration.Seconds() + 1e-9)) }

// reserve is what PlanLoad keeps free of a limit for the run's other checks:
// 10 % of the limit, at least 2.
func reserve(limit int) int { return max(2, limit/10) }

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
	res := reserve(limit)
	capRate := float64(limit-res) / RateLimitWindow.Seconds()
	first := min(duration, RateLimitWindow).Seconds()
	leftRate := float64(remaining-res) / first
	newRate := min(rate, capRate, leftRate)
	if newRate < 0 {
		newRate = 0
	}
	if newRate < rate {
		p.Rate = newRate
		p.Reason = fmt.Sprintf("lowered from %.1f/s to %.2f/s to stay under X-RateLimit-Limit=%d per %s (%d remaining, %d kept in reserve)",
			rate, newRate, limit, RateLimitWindow, remaining, res)
	}
	return p
}

// DurationFor is the shortest stage that reaches n requests under limit per
// RateLimitWindow (a fresh window, the reserve kept), rounded up to 5 s; 0
// when the limit leaves no room at all.
func DurationFor(n, limit int) time.Duration {
	per := limit - reserve(limit)
	if per <= 0 {
		return 0
	}
	secs := math.Ceil(float64(n) * RateLimitWindow.Seconds() / float64(per))
	return time.Duration(math.Ceil(secs/5)*5) * time.Second
}

// LoadResult summarises a native stage.
type LoadResult struct {
	*load.Result
	Plan      LoadPlan
	Limited   int // 429s, reported apart from errors
	Failed    int // no response or status ≥ 400 other than 429 (k6's http_req_failed)
	FailCodes map[string]int
}

// Answered is the number of requests that were not rate-limited.
func (r *LoadResult) Answered() int { return r.Sent() - r.Limited }

// FailedRate is http_req_failed over the non-429 requests.
func (r *LoadResult) FailedRate() float64 {
	if r.Answered() == 0 {
		return 0
	}
	return float64(r.Failed) / float64(r.Answered())
}

// answered keeps responses that were not 429 (what k6's trends judge here).
func answered(s load.Sample) bool { return s.Code != 0 && s.Code != http.StatusTooManyRequests }

// Latencies returns the latencies of responses (429s excluded) for path ("" = all).
func (r *LoadResult) Latencies(path string) []time.Duration {
	return r.Result.Latencies(func(s load.Sample) bool { return answered(s) && (path == "" || s.Path == path) })
}

// SeriesP99 buckets the stage per second: x = "+Ns", y = p99 latency in ms.
func (r *LoadResult) SeriesP99() ([]string, []float64) { return r.PerSecond(0.99, answered) }

// LoadOptions configures RunNativeLoad.
type LoadOptions struct {
	Plan    LoadPlan
	Timeout time.Duration // per request
	NextID  func() string // X-Request-Id per request
}

// RunNativeLoad sends the k6-smoke requests (/health, /health/readiness,
// /health/liveness in turn) at a constant arrival rate for the planned
// duration with the load engine (open model).
func RunNativeLoad(ctx context.Context, baseURL string, o LoadOptions) (*LoadResult, error) {
	res := &LoadResult{Result: &load.Result{}, Plan: o.Plan, FailCodes: map[string]int{}}
	if math.Round(o.Plan.Rate*60) <= 0 || o.Plan.Duration <= 0 {
		return res, fmt.Errorf("native load stage: nothing to send (rate %.2f/s, duration %s)", o.Plan.Rate, o.Plan.Duration)
	}
	r, err := load.Attack(ctx, load.Options{BaseURL: baseURL, Pacer: load.Constant(o.Plan.Rate), Duration: o.Plan.Duration, Timeout: o.Timeout,
		Name: "launchcheck-smk1", Next: func(i uint64) load.Request {
			h := http.Header{"User-Agent": {"launchcheck-smoke"}}
			if o.NextID != nil {
				h.Set("X-Request-Id", o.NextID())
			}
			return load.Request{Path: SmokeEndpoints[i%uint64(len(SmokeEndpoints))], Header: h}
		}})
	res.Result = r
	for _, s := range r.Samples {
		switch {
		case s.Code == http.StatusTooManyRequests:
			res.Limited++
		case s.Code == 0 || s.Code >= 400:
			res.Failed++
			key := fmt.Sprintf("%d %s", s.Code, s.Path)
			if s.Code == 0 {
				key = "no response " + s.Path + " (" + hxapi.Excerpt([]byte(s.Err), 80) + ")"
			}
			res.FailCodes[key]++
		}
	}
	if err != nil {
		return res, fmt.Errorf("native load stage: %w", err)
	}
	return res, nil
}

// K6SmokeScript is the smoke script's place in a backend checkout.
func K6SmokeScript(repoDir string) string {
	if repoDir == "" {
		return ""
	}
	return filepath.Join(repoDir, "ops", "load-test", "k6-smoke.js")
}

// FindK6 returns the k6 binary (name looked up on PATH, or a path) and the
// smoke script, or why k6 cannot run.
func FindK6(k6, repoDir string) (bin, script, why string) {
	if repoDir == "" {
		if _, why := load.FindK6(k6, ""); why != "no k6 script given" {
			return "", "", why
		}
		return "", "", "HUSTLEXP_REPO_DIR is not set (no ops/load-test/k6-smoke.js)"
	}
	script = K6SmokeScript(repoDir)
	bin, why = load.FindK6(k6, script)
	if why != "" {
		return "", "", why
	}
	return bin, script, ""
}
