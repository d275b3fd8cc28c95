//go:build !prelaunch && !t0 && !day1 && !week1

package prom_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/promfake"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/prom"
)

func client(t *testing.T, o promfake.Options) (*promfake.Fake, *prom.Client) {
	t.Helper()
	f := promfake.Run(t, func(p *promfake.Options) { *p = o })
	cfg, err := config.Load(func(n string) string {
		return map[string]string{config.PrometheusURL: f.URL, config.PrometheusToken: "tok"}[n]
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := prom.NewFromConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}

// The one error-rate query, judged per window: a 5 % burst shows in the
// windows it covers and only there; windows of an outage have no value and
// no requests.
func TestWindowsErrorRate(t *testing.T) {
	now := time.Now()
	gap := now.Add(-3 * time.Hour).Truncate(time.Hour)
	f, c := client(t, promfake.Options{History: 6 * time.Hour, Outages: []promfake.Outage{{Start: gap, End: gap.Add(time.Hour)}}})
	if err := f.ErrorBurst(0.05, now.Add(-30*time.Minute), now.Add(-20*time.Minute)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	lbl, err := c.StatusLabel(ctx, prom.RequestsMetric, now.Add(-time.Hour), now)
	if err != nil || lbl != "status_code" {
		t.Fatalf("status label %q, %v", lbl, err)
	}
	step := 5 * time.Minute
	start := now.Add(-5*time.Hour + step)
	ws, err := c.Windows(ctx, prom.ErrorRateQuery(lbl, step), prom.RequestsQuery(step), start, now, step)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 60 {
		t.Fatalf("%d windows, want 60", len(ws))
	}
	judged, quiet := prom.Judged(ws, prom.MinWindowRequests)
	if quiet < 10 || quiet > 13 {
		t.Fatalf("%d quiet windows, want the hour of the outage (≈12)", quiet)
	}
	worst, _ := prom.Worst(prom.AsPoints(judged))
	if worst.V < 0.03 || worst.T.Before(now.Add(-31*time.Minute)) || worst.T.After(now.Add(-14*time.Minute)) {
		t.Fatalf("worst window %.3f at %s, want the 5 %% burst 30–20 min ago", worst.V, worst.T)
	}
	for _, w := range ws {
		if !w.End.After(gap.Add(step)) || !w.End.Before(gap.Add(time.Hour)) {
			continue
		}
		if w.HasValue || w.Requests != 0 {
			t.Fatalf("window ending %s inside the outage: value %v (%v), %v requests", w.End, w.Value, w.HasValue, w.Requests)
		}
	}
	if _, err := c.StatusLabel(ctx, "no_such_metric_total", now.Add(-time.Hour), now); !errors.Is(err, prom.ErrNoLabel) {
		t.Fatalf("missing metric: %v, want ErrNoLabel", err)
	}
	if _, _, err := c.Scalar(ctx, "sum by (route) (rate(http_requests_total[5m]))", now); err == nil || !strings.Contains(err.Error(), "want one") {
		t.Fatalf("several series: %v", err)
	}
}
