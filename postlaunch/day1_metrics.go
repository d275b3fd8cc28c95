package postlaunch

import (
	"errors"
	"fmt"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/promq"
	"github.com/hustlexp/launchcheck/internal/target"
)

// minWindowRequests: a step window with fewer requests is too small to
// judge alone (one error in five requests is not a 20 % error rate).
const minWindowRequests = 20

// ErrorRateMonitored checks DAY-1: Monitor error rate continuously. Over the
// last HUSTLEXP_DAY1_WINDOW in HUSTLEXP_DAY1_STEP windows, the worst window's
// 5xx share stays under HUSTLEXP_MAX_ERROR_RATE_PCT; the worst window and
// when it happened go to the report with the whole series.
func ErrorRateMonitored(t check.T, env *target.Env) {
	t.Helper()
	cfg := env.Cfg
	check.Need(t, cfg, config.PrometheusURL)
	ctx := check.Ctx(t, cfg)
	c, err := promq.New(cfg)
	if err != nil {
		t.Fatalf("%v", err)
	}
	window, step := cfg.Duration(config.Day1Window), cfg.Duration(config.Day1Step)
	maxPct := cfg.Float(config.MaxErrorRatePct)
	now := time.Now()
	lbl, err := c.StatusLabel(ctx, promq.RequestsMetric, now.Add(-window), now)
	if errors.Is(err, promq.ErrNoLabel) {
		check.Unverified(t, "cannot find the status label of %s: %v", promq.RequestsMetric, err)
	} else if err != nil {
		t.Fatalf("%v", err)
	}
	n, err := c.Requests(ctx, now, window)
	if err != nil {
		t.Fatalf("%v", err)
	}
	check.Evidence(t, "requests", fmt.Sprintf("%.0f in the last %s (label %s)", n, window, lbl))
	if min := float64(cfg.Int(config.MinRequests)); n < min {
		check.Unverified(t, "only %.0f requests in the last %s (< %s=%.0f): too little traffic to judge", n, window, config.MinRequests, min)
	}
	start := now.Add(-window + step)
	rates, err := c.Series(ctx, promq.ErrorRateQuery(lbl, step), start, now, step)
	if err != nil {
		t.Fatalf("%v", err)
	}
	counts, err := c.Series(ctx, fmt.Sprintf("sum(increase(%s[%s]))", promq.RequestsMetric, promq.PromDuration(step)), start, now, step)
	if err != nil {
		t.Fatalf("%v", err)
	}
	volume := map[int64]float64{}
	for _, p := range counts {
		volume[p.T.Unix()] = p.V
	}
	var judged []promq.Point
	skipped := 0
	for _, p := range rates {
		if volume[p.T.Unix()] < minWindowRequests {
			skipped++
			continue
		}
		judged = append(judged, p)
	}
	xs, ys := promq.XY(rates, "01-02 15:04", 100)
	check.Series(t, "error_rate_24h", "%", xs, ys)
	expected := int(window / step)
	if len(judged) < expected/2 {
		check.Unverified(t, "only %d of %d %s windows in the last %s have ≥ %d requests", len(judged), expected, step, window, minWindowRequests)
	}
	worst, _ := promq.Worst(judged)
	check.Evidence(t, "worst_window", fmt.Sprintf("%.3f%% in the %s ending %s (%.0f requests)", worst.V*100, step, worst.T.UTC().Format("2006-01-02 15:04 MST"), volume[worst.T.Unix()]))
	if skipped > 0 {
		check.Evidence(t, "quiet_windows", fmt.Sprintf("%d windows with < %d requests not judged", skipped, minWindowRequests))
	}
	var over int
	for _, p := range judged {
		if p.V*100 >= maxPct {
			over++
		}
	}
	if over > 0 {
		t.Errorf("5xx error rate reached %.2f%% in the %s window ending %s UTC, want < %.2f%% (%s); %d of %d windows of the last %s were over",
			worst.V*100, step, worst.T.UTC().Format("2006-01-02 15:04"), maxPct, config.MaxErrorRatePct, over, len(judged), window)
	}
}
