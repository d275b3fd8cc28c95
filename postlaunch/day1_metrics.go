package postlaunch

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/prom"
	"github.com/hustlexp/launchcheck/internal/target"
)

// ErrorRateMonitored checks DAY-1: Monitor error rate continuously. Over the
// last HUSTLEXP_DAY1_WINDOW in HUSTLEXP_DAY1_STEP windows:
//   - availability: every window from the first one with data on must have
//     an `up` sample of 1 (HUSTLEXP_UP_SELECTOR, default the up series of
//     the jobs exporting http_requests_total); a window with no sample or
//     only 0 is an outage — an API that records no requests is not quiet
//     when it is down;
//   - error rate: the worst window's 5xx share (prom.ErrorRateQuery, windows
//     with ≥ prom.MinWindowRequests requests) stays under
//     HUSTLEXP_MAX_ERROR_RATE_PCT; the worst window and when it happened go
//     to the report with the whole series.
func ErrorRateMonitored(t check.T, env *target.Env) {
	t.Helper()
	cfg := env.Cfg
	check.Need(t, cfg, config.PrometheusURL)
	ctx := check.Ctx(t, cfg)
	c := promClient(t, cfg)
	window, step := cfg.Duration(config.Day1Window), cfg.Duration(config.Day1Step)
	now := time.Now()
	start := now.Add(-window + step)
	lbl, ws := day1Windows(t, ctx, c, start, now, window, step)
	judgeAvailability(t, ctx, cfg, c, ws, start, now, step)
	judged := day1Traffic(t, ctx, cfg, c, ws, lbl, now, window, step)
	judgeErrorRate(t, cfg, judged, window, step)
}

// day1Windows finds the status label of the request metric and evaluates
// the error rate and the traffic of every step window of the last window.
func day1Windows(t check.T, ctx context.Context, c *prom.Client, start, now time.Time, window, step time.Duration) (string, []prom.Window) {
	t.Helper()
	lbl, err := c.StatusLabel(ctx, prom.RequestsMetric, now.Add(-window), now)
	if errors.Is(err, prom.ErrNoLabel) {
		check.Unverified(t, "cannot find the status label of %s: %v", prom.RequestsMetric, err)
	} else if err != nil {
		t.Fatalf("DAY-1 status label: %v", err)
	}
	ws, err := c.Windows(ctx, prom.ErrorRateQuery(lbl, step), prom.RequestsQuery(step), start, now, step)
	if err != nil {
		t.Fatalf("DAY-1 error-rate windows: %v", err)
	}
	return lbl, ws
}

// day1Traffic makes sure there was traffic enough to judge: requests over
// the whole window and at least half the windows with enough requests. It
// returns the windows the error rate is judged on.
func day1Traffic(t check.T, ctx context.Context, cfg *config.Config, c *prom.Client, ws []prom.Window, lbl string, now time.Time, window, step time.Duration) []prom.Window {
	t.Helper()
	n, err := c.Requests(ctx, now, window)
	if err != nil {
		t.Fatalf("DAY-1 request count: %v", err)
	}
	check.Evidence(t, "requests", fmt.Sprintf("%.0f in the last %s (label %s)", n, window, lbl))
	if min := float64(cfg.Int(config.MinRequests)); n < min && !t.Failed() {
		check.Unverified(t, "only %.0f requests in the last %s (< %s=%.0f): too little traffic to judge", n, window, config.MinRequests, min)
	}
	judged, quiet := prom.Judged(ws, prom.MinWindowRequests)
	xs, ys := prom.XY(prom.AsPoints(ws), "01-02 15:04", 100)
	check.Series(t, "error_rate_24h", "%", xs, ys)
	expected := int(window / step)
	if len(judged) < expected/2 && !t.Failed() {
		check.Unverified(t, "only %d of %d %s windows in the last %s have ≥ %.0f requests", len(judged), expected, step, window, prom.MinWindowRequests)
	}
	if quiet > 0 {
		check.Evidence(t, "quiet_windows", fmt.Sprintf("%d windows with < %.0f requests not judged for errors (the API was up)", quiet, prom.MinWindowRequests))
	}
	return judged
}

// judgeErrorRate fails the row when a judged window's 5xx share reached
// HUSTLEXP_MAX_ERROR_RATE_PCT, naming the worst one.
func judgeErrorRate(t check.T, cfg *config.Config, judged []prom.Window, window, step time.Duration) {
	t.Helper()
	maxPct := cfg.Float(config.MaxErrorRatePct)
	worst, _ := prom.Worst(prom.AsPoints(judged))
	check.Evidence(t, "worst_window", fmt.Sprintf("%.3f%% in the %s ending %s", worst.V*100, step, worst.T.UTC().Format("2006-01-02 15:04 MST")))
	var over int
	for _, w := range judged {
		if w.Value*100 >= maxPct {
			over++
		}
	}
	if over > 0 {
		t.Errorf("5xx error rate reached %.2f%% in the %s window ending %s UTC, want < %.2f%% (%s); %d of %d windows of the last %s were over",
			worst.V*100, step, worst.T.UTC().Format("2006-01-02 15:04"), maxPct, config.MaxErrorRatePct, over, len(judged), window)
	}
}

// upSelector is HUSTLEXP_UP_SELECTOR, or the up series of the scrape jobs
// that export http_requests_total in [start, end].
func upSelector(ctx context.Context, cfg *config.Config, c *prom.Client, start, end time.Time) (string, error) {
	if sel := strings.TrimSpace(cfg.Get(config.UpSelector)); sel != "" {
		return sel, nil
	}
	jobs, err := c.LabelValues(ctx, "job", prom.RequestsMetric, start, end)
	if err != nil {
		return "", err
	}
	if len(jobs) == 0 {
		return "", fmt.Errorf("%w: no job label on %s between %s and %s: set %s", prom.ErrNoLabel, prom.RequestsMetric,
			start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339), config.UpSelector)
	}
	if len(jobs) == 1 {
		return fmt.Sprintf("up{job=%q}", jobs[0]), nil
	}
	for i := range jobs {
		jobs[i] = regexp.QuoteMeta(jobs[i])
	}
	return fmt.Sprintf("up{job=~%q}", strings.Join(jobs, "|")), nil
}

// availabilityGap is a run of consecutive windows in which the API was not
// up, for the same reason.
type availabilityGap struct {
	from, to time.Time
	n        int
	why      string
}

// judgeAvailability fails the row for every window (on the error-rate
// windows' grid) in which the API was not up: no up sample at all, or only
// 0. Windows before the first one with any data (up or requests) are before
// launch and not judged.
func judgeAvailability(t check.T, ctx context.Context, cfg *config.Config, c *prom.Client, ws []prom.Window, start, end time.Time, step time.Duration) {
	t.Helper()
	sel, up := upSamples(t, ctx, cfg, c, start, end, step)
	gaps, upCount, judged := availabilityGaps(ws, up, sel, step)
	check.Evidence(t, "availability", fmt.Sprintf("up in %d of %d %s windows (%s)", upCount, judged, step, sel))
	if judged == 0 {
		check.Unverified(t, "no availability data (%s) and no requests in the last %s", sel, end.Sub(start)+step)
	}
	if len(gaps) == 0 {
		return
	}
	var parts []string
	down := 0
	for _, g := range gaps {
		down += g.n
		parts = append(parts, fmt.Sprintf("%s–%s UTC (%s: %s)", g.from.UTC().Format("01-02 15:04"), g.to.UTC().Format("15:04"), g.to.Sub(g.from), g.why))
	}
	if len(parts) > 5 {
		parts = append(parts[:5], fmt.Sprintf("… %d more", len(parts)-5))
	}
	t.Errorf("API unavailable in %d of %d %s windows of the last %s: %s — an outage is not a quiet period (%s)",
		down, judged, step, end.Sub(start)+step, strings.Join(parts, "; "), config.UpSelector)
}

// upSamples returns the up selector and its per-window maximum, by window end (unix s).
func upSamples(t check.T, ctx context.Context, cfg *config.Config, c *prom.Client, start, end time.Time, step time.Duration) (string, map[int64]float64) {
	t.Helper()
	sel, err := upSelector(ctx, cfg, c, start.Add(-step), end)
	if errors.Is(err, prom.ErrNoLabel) {
		check.Unverified(t, "cannot judge availability: %v", err)
	} else if err != nil {
		t.Fatalf("DAY-1 up selector: %v", err)
	}
	pts, err := c.Points(ctx, fmt.Sprintf("max(max_over_time(%s[%s]))", sel, prom.PromDuration(step)), start, end, step)
	if err != nil {
		t.Fatalf("DAY-1 availability (%s): %v", sel, err)
	}
	up := map[int64]float64{}
	for _, p := range pts {
		up[p.T.Unix()] = p.V
	}
	return sel, up
}

// availabilityGaps walks the windows from the first one with data: a window
// without an up sample or with only 0 joins (or starts) a gap.
func availabilityGaps(ws []prom.Window, up map[int64]float64, sel string, step time.Duration) (gaps []availabilityGap, upCount, judged int) {
	seen := false
	for _, w := range ws {
		v, has := up[w.End.Unix()]
		if !seen && !has && w.Requests == 0 {
			continue // before the first data: not launched yet
		}
		seen = true
		judged++
		why := ""
		switch {
		case !has:
			why = "no " + sel + " sample"
		case v < 1:
			why = sel + " = 0"
		default:
			upCount++
			continue
		}
		if k := len(gaps) - 1; k >= 0 && gaps[k].why == why && gaps[k].to.Equal(w.End.Add(-step)) {
			gaps[k].to, gaps[k].n = w.End, gaps[k].n+1
			continue
		}
		gaps = append(gaps, availabilityGap{w.End.Add(-step), w.End, 1, why})
	}
	return gaps, upCount, judged
}
