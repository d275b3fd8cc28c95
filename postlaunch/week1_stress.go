package postlaunch

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/load"
	"github.com/hustlexp/launchcheck/internal/target"
)

// K6StressStages are the stages of ops/load-test/k6-stress.js (contract §13).
var K6StressStages = []load.Stage{
	{Duration: time.Minute, Target: 10}, {Duration: 2 * time.Minute, Target: 50}, {Duration: 2 * time.Minute, Target: 100},
	{Duration: time.Minute, Target: 100}, {Duration: 2 * time.Minute, Target: 0},
}

// perVURate is one k6 VU's request rate: one request per iteration plus a
// 0.2–0.5 s sleep (mean 0.35 s) in k6-stress.js.
const perVURate = 1 / 0.35

// The profiles WK-1 runs (factors on K6StressStages' durations and VUs).
const (
	// Full: k6-stress.js as written (8 minutes, ≈71,000 requests, peak
	// ≈286 req/s); against a live target only with HUSTLEXP_STRESS_FULL=1.
	fullTime, fullVUs = 1.0, 1.0
	// Reduced: the live default, a quarter of the time and a fifth of the
	// VUs (2 minutes, ≈3,600 requests, peak ≈57 req/s).
	reducedTime, reducedVUs = 0.25, 0.2
	// Rehearsal: 4.8 s, ≈71 requests on loopback.
	rehearsalTime, rehearsalVUs = 0.01, 0.1
)

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

// StressResult is what the native stress run observed.
type StressResult struct {
	*load.Result
	Failed, Limited int
	P95, P99, Max   time.Duration
	FailCodes       map[string]int
}

// ScaledStages applies the time and VU factors to K6StressStages.
func ScaledStages(timeScale, vuScale float64) load.Stages {
	out := make([]load.Stage, len(K6StressStages))
	for i, s := range K6StressStages {
		d := time.Duration(float64(s.Duration) * timeScale)
		if d < 100*time.Millisecond {
			d = 100 * time.Millisecond
		}
		out[i] = load.Stage{Duration: d, Target: s.Target * vuScale}
	}
	return load.Stages{Stages: out, PerVU: perVURate}
}

// RunStress attacks baseURL with the k6-stress mix along the stages (the
// load engine, open model).
func RunStress(ctx context.Context, baseURL string, stages load.Stages, timeout time.Duration, tag string) (*StressResult, error) {
	var seq []StressEndpoint
	for _, e := range StressMix {
		for i := 0; i < e.Share; i++ {
			seq = append(seq, e)
		}
	}
	order := []int{0, 5, 8, 1, 6, 2, 9, 3, 7, 4} // interleave the 5/3/2 mix
	expected := map[string]int{}
	for _, e := range StressMix {
		expected[e.Path] = e.Expected
	}
	peak := stages.PeakVUs()
	r, err := load.Attack(ctx, load.Options{BaseURL: baseURL, Pacer: stages, Duration: stages.Total(), Timeout: timeout, Name: tag + "-wk1",
		Workers: uint64(max(1, int(peak))), MaxWorkers: uint64(max(4, int(peak)*4)), MaxBody: 16 << 10,
		Next: func(i uint64) load.Request {
			return load.Request{Path: seq[order[i%10]].Path,
				Header: http.Header{"User-Agent": {"launchcheck-stress"}, "X-Request-Id": {fmt.Sprintf("%s-wk1-%d", tag, i)}}}
		}})
	res := &StressResult{Result: r, FailCodes: map[string]int{}}
	for _, s := range r.Samples {
		switch {
		case s.Code == http.StatusTooManyRequests:
			res.Limited++
			res.Failed++ // k6 counts a 429 in http_req_failed too
		case s.Code == 0:
			res.Failed++
			res.FailCodes["no response "+s.Path]++
		case s.Code != expected[s.Path]:
			res.Failed++
			res.FailCodes[fmt.Sprintf("%d %s", s.Code, s.Path)]++
		}
	}
	all := r.Latencies(nil)
	res.P95, res.P99, res.Max = load.Percentile(all, 0.95), load.Percentile(all, 0.99), load.Max(all)
	if err != nil {
		return res, fmt.Errorf("stress run: %w", err)
	}
	return res, nil
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
// hours). The native equivalent (vegeta through the load engine, the script's
// stages and request mix) must keep the failure rate < 5 %, p95 < 1 s
// (nearest rank) and fewer than 100 429s; when k6 is on PATH and the profile
// is the full one, the script itself runs too and its threshold verdict
// counts.
//
// Before sending anything it announces the planned duration and request
// count (check.Notice). Against a live target the default is the reduced
// profile (¼ of the time, ⅕ of the VUs: 2 minutes, ≈3,600 requests); the
// full script (8 minutes, ≈71,000 requests) needs HUSTLEXP_STRESS_FULL=1,
// and a live run of anything less is unverified: the line is the full
// script. Against production it also refuses to run outside
// HUSTLEXP_STRESS_WINDOW or without HUSTLEXP_ALLOW_STRESS=1.
func StressOffPeak(t check.T, env *target.Env) {
	t.Helper()
	cfg := env.Cfg
	check.Need(t, cfg, config.BaseURL)
	if cfg.Target == config.Production {
		stressProductionAllowed(t, cfg, time.Now())
	}
	plan, err := PlanStress(cfg)
	if err != nil {
		t.Fatalf("WK-1 plan: %v", err)
	}
	if plan.Refusal != "" {
		check.Unverified(t, "%s", plan.Refusal)
	}
	announceStress(t, cfg, plan)
	ctx, cancel := context.WithTimeout(t.Context(), plan.Stages.Total()+cfg.Duration(config.CheckTimeout))
	defer cancel()
	res, err := RunStress(ctx, cfg.Get(config.BaseURL), plan.Stages, cfg.Duration(config.HTTPTimeout), env.Tag())
	if err != nil {
		t.Fatalf("WK-1 run: %v", err)
	}
	judgeStress(t, cfg, plan, res)
	runK6(t, env, ctx, plan.Full)
	if cfg.Live() && !plan.Full && !t.Failed() {
		check.Unverified(t, "the %s profile (%s, %d requests) met the k6-stress thresholds, but the line is the full k6-stress.js (8 minutes, ≈%d requests): set %s=1 to run it",
			plan.Profile, res.Elapsed.Round(time.Second), res.Sent(), ScaledStages(fullTime, fullVUs).Requests(), config.StressFull)
	}
}

// stressProductionAllowed refuses to stress production without
// HUSTLEXP_ALLOW_STRESS=1 or outside HUSTLEXP_STRESS_WINDOW.
func stressProductionAllowed(t check.T, cfg *config.Config, now time.Time) {
	t.Helper()
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

// announceStress records the plan and announces it before anything is sent.
func announceStress(t check.T, cfg *config.Config, plan StressPlan) {
	t.Helper()
	var desc []string
	for _, s := range plan.Stages.Stages {
		desc = append(desc, fmt.Sprintf("%s→%.0f", s.Duration.Round(10*time.Millisecond), s.Target))
	}
	check.Evidence(t, "stages", strings.Join(desc, ", ")+fmt.Sprintf(" VUs (≈%.1f req/s per VU)", perVURate))
	check.Evidence(t, "profile", plan.Profile)
	check.Notice(t, "WK-1 stress against %s: %s profile, %s, ≈%d requests, peak ≈%.0f req/s — starting now",
		cfg.Redacted(config.BaseURL), plan.Profile, plan.Stages.Total().Round(100*time.Millisecond), plan.Stages.Requests(), plan.Stages.PeakRate())
}

// judgeStress holds the run to k6-stress.js's thresholds: failure rate,
// p95 and 429s.
func judgeStress(t check.T, cfg *config.Config, plan StressPlan, res *StressResult) {
	t.Helper()
	maxFail, p95Max, max429 := cfg.Float(config.StressMaxFailPct), cfg.Duration(config.StressP95), cfg.Int(config.StressMax429)
	failPct := float64(res.Failed) / float64(res.Sent()) * 100
	check.Evidence(t, "requests", fmt.Sprintf("%d in %s (planned ≈%d, peak %.1f req/s)", res.Sent(), res.Elapsed.Round(time.Millisecond), plan.Stages.Requests(), plan.Stages.PeakRate()))
	check.Evidence(t, "failure_rate", fmt.Sprintf("%.2f%% (%d)", failPct, res.Failed))
	check.Evidence(t, "latency", fmt.Sprintf("p95=%s p99=%s max=%s (nearest rank)", res.P95.Round(time.Millisecond), res.P99.Round(time.Millisecond), res.Max.Round(time.Millisecond)))
	check.Evidence(t, "rate_limited", res.Limited)
	xs, ys := res.PerSecond(0.95, nil)
	check.Series(t, "stress_p95_latency", "ms", xs, ys)
	if failPct >= maxFail {
		t.Errorf("stress: http_req_failed = %.2f%% (%d of %d; %s), want < %.0f%% (%s)", failPct, res.Failed, res.Sent(), codes(res.FailCodes, res.Limited), maxFail, config.StressMaxFailPct)
	}
	if res.P95 >= p95Max {
		t.Errorf("stress: p95 latency = %s, want < %s (%s)", res.P95.Round(time.Millisecond), p95Max, config.StressP95)
	}
	if res.Limited >= max429 {
		t.Errorf("stress: %d responses were 429, want < %d (%s): the rate limiter throttles the load test's own IP", res.Limited, max429, config.StressMax429)
	}
	// The thresholds prove something only under the planned load: a target
	// holding its connections throttles the load engine (as it does k6's VUs).
	if planned := plan.Stages.Requests(); float64(res.Sent()) < minSentShare*float64(planned) {
		t.Errorf("WK-1: the stress run sent %d of ≈%d planned requests in %s (< %.0f%%): the planned load never reached the target", res.Sent(), planned, res.Elapsed.Round(time.Millisecond), minSentShare*100)
	}
}

// minSentShare is the share of the planned requests a stress run must send.
const minSentShare = 0.8

// minStressRequests is the smallest plan WK-1 accepts: below it a failure
// rate or a p95 says nothing.
const minStressRequests = 50

// StressPlan is what WK-1 will send.
type StressPlan struct {
	Stages  load.Stages
	Profile string // rehearsal | reduced | full | custom
	Full    bool   // the stages are k6-stress.js's own (or larger)
	Refusal string // non-empty: do not send anything (why)
}

// PlanStress picks the stages: the rehearsal's tiny profile, or against a
// live target the reduced one unless HUSTLEXP_STRESS_FULL=1; explicit
// HUSTLEXP_STRESS_TIME_SCALE / _VU_SCALE override either factor. A live
// plan as large as the full script without HUSTLEXP_STRESS_FULL=1 is
// refused before anything is sent.
func PlanStress(cfg *config.Config) (StressPlan, error) {
	timeScale, vuScale, profile := rehearsalTime, rehearsalVUs, "rehearsal"
	switch {
	case cfg.Live() && cfg.Bool(config.StressFull):
		timeScale, vuScale, profile = fullTime, fullVUs, "full"
	case cfg.Live():
		timeScale, vuScale, profile = reducedTime, reducedVUs, "reduced"
	}
	if cfg.Has(config.StressTimeScale) {
		timeScale, profile = cfg.Float(config.StressTimeScale), "custom"
	}
	if cfg.Has(config.StressVUScale) {
		vuScale, profile = cfg.Float(config.StressVUScale), "custom"
	}
	if timeScale <= 0 || vuScale <= 0 {
		return StressPlan{}, fmt.Errorf("%s=%v and %s=%v must be > 0", config.StressTimeScale, timeScale, config.StressVUScale, vuScale)
	}
	p := StressPlan{Stages: ScaledStages(timeScale, vuScale), Profile: profile, Full: timeScale >= fullTime && vuScale >= fullVUs}
	if n := p.Stages.Requests(); n < minStressRequests {
		return StressPlan{}, fmt.Errorf("%s=%v and %s=%v plan ≈%d requests, fewer than %d: too little load to judge the k6-stress thresholds",
			config.StressTimeScale, timeScale, config.StressVUScale, vuScale, n, minStressRequests)
	}
	if p.Full && profile == "custom" {
		p.Profile = "full"
	}
	if cfg.Live() && p.Full && !cfg.Bool(config.StressFull) {
		p.Refusal = fmt.Sprintf("the planned stress is the full k6-stress.js profile (%s, ≈%d requests, peak ≈%.0f req/s) against %s; set %s=1 to run it (the default is the reduced profile)",
			p.Stages.Total(), p.Stages.Requests(), p.Stages.PeakRate(), cfg.Target, config.StressFull)
	}
	return p, nil
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

// runK6 runs the real script when k6 is on PATH and the profile is the
// full one (k6 cannot scale the script's stages).
func runK6(t check.T, env *target.Env, ctx context.Context, full bool) {
	t.Helper()
	script := env.Cfg.Get(config.StressScript)
	if script == "" && env.Cfg.Get(config.RepoDir) != "" {
		script = filepath.Join(env.Cfg.Get(config.RepoDir), "ops", "load-test", "k6-stress.js")
	}
	bin, why := load.FindK6(env.Cfg.Get(config.K6Binary), script)
	switch {
	case strings.Contains(why, "not on PATH"):
		check.Evidence(t, "k6", "not run ("+why+"): native run only")
		return
	case !full:
		check.Evidence(t, "k6", "on PATH, not run: the stages are scaled down for this run (k6-stress.js runs 8 minutes)")
		return
	case why != "":
		t.Errorf("k6 is on PATH but the stress script is missing (set %s or %s): %s", config.StressScript, config.RepoDir, why)
		return
	}
	dir, err := os.MkdirTemp("", "launchcheck-wk1-")
	if err != nil {
		t.Fatalf("WK-1 k6: temp dir: %v", err)
	}
	defer os.RemoveAll(dir)
	run, err := load.RunK6(ctx, bin, script, env.Cfg.Get(config.BaseURL), dir)
	switch {
	case err != nil:
		t.Errorf("WK-1 k6: %v", err)
	case run.ExitCode == 0:
		check.Evidence(t, "k6", "k6-stress.js thresholds passed")
	case run.ExitCode == 99:
		t.Errorf("k6 run %s: thresholds crossed (exit 99: %s): %s", filepath.Base(script), strings.Join(run.Crossed, ", "), oneLine(load.Tail(run.Output, 400), 400))
	default:
		t.Errorf("k6 run %s: exit %d: %s", filepath.Base(script), run.ExitCode, oneLine(load.Tail(run.Output, 400), 400))
	}
}
