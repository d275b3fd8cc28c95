package smoke_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/standin"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/load"
	"github.com/hustlexp/launchcheck/smoke"
)

// BenchmarkSMK1P99Accuracy measures how close the native load stage's
// /health p99 comes to a latency distribution injected into a private
// stand-in (goal ±10 %). It is a measurement, not an assertion:
//
//	go test ./smoke/ -run '^$' -bench SMK1P99Accuracy -benchtime 1x
//
// Each case reports the injected distribution's true p99, the p99 the stage
// measured, the stand-in's own overhead (p99 with nothing injected), and the
// relative error against both the distribution's p99 and the p99 of the
// latencies the stand-in actually drew during the run (the latter separates
// the client's measurement error from the sampling noise of a finite run).
// It fails when the measured p99 is more than ±10 % off the server's own
// timing of the same requests (both nearest rank).
func BenchmarkSMK1P99Accuracy(b *testing.B) {
	w, _ := harness.World(b)
	rate, dur := 150.0, 12*time.Second
	base, _, _ := runStage(b, w.AdminDSN(), w.RedisURL, nil, rate, dur)
	overhead := load.Percentile(base.Latencies("/health"), 0.99)
	b.Logf("baseline (nothing injected): /health p99 %s, p50 %s over %d samples", overhead,
		load.Percentile(base.Latencies("/health"), 0.5), len(base.Latencies("/health")))
	for _, tc := range []struct {
		name string
		d    standin.Distribution
	}{
		{"lognormal-median20ms-p99-80ms", standin.LogNormal{Median: 20 * time.Millisecond, P99: 80 * time.Millisecond}},
		{"lognormal-median10ms-p99-45ms", standin.LogNormal{Median: 10 * time.Millisecond, P99: 45 * time.Millisecond}},
		{"lognormal-median40ms-p99-300ms", standin.LogNormal{Median: 40 * time.Millisecond, P99: 300 * time.Millisecond}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				res, drawn, served := runStage(b, w.AdminDSN(), w.RedisURL, tc.d, rate, dur)
				hs := res.Latencies("/health")
				got := load.Percentile(hs, 0.99)
				want := tc.d.Quantile(0.99)
				drawnP99 := load.Percentile(drawn, 0.99)
				servedP99 := load.Percentile(served, 0.99)
				errServed := 100 * (float64(got) - float64(servedP99)) / float64(servedP99)
				b.ReportMetric(float64(servedP99)/1e6, "server_p99_ms")
				b.ReportMetric(errServed, "err_vs_server_%")
				errPct := 100 * (float64(got) - float64(want)) / float64(want)
				errDrawn := 100 * (float64(got) - float64(drawnP99)) / float64(drawnP99)
				b.ReportMetric(float64(want)/1e6, "true_p99_ms")
				b.ReportMetric(float64(drawnP99)/1e6, "drawn_p99_ms")
				b.ReportMetric(float64(got)/1e6, "measured_p99_ms")
				b.ReportMetric(errPct, "err_vs_dist_%")
				b.ReportMetric(errDrawn, "err_vs_drawn_%")
				b.Logf("%s: distribution p99 %s, p99 of the %d latencies actually injected %s, server-side p99 %s, measured p99 %s: %+.1f%% vs the distribution, %+.1f%% vs the draws, %+.1f%% vs the server's own timing; %d requests in %s at %.0f/s",
					tc.name, want.Round(100*time.Microsecond), len(drawn), drawnP99.Round(100*time.Microsecond), servedP99.Round(100*time.Microsecond), got.Round(100*time.Microsecond),
					errPct, errDrawn, errServed, res.Sent(), res.Elapsed.Round(time.Millisecond), rate)
				if math.Abs(errServed) > 10 {
					b.Errorf("%s: measured p99 %s is %+.1f%% off the server's own p99 %s, outside ±10%% (nearest-rank percentile, package load)",
						tc.name, got.Round(100*time.Microsecond), errServed, servedP99.Round(100*time.Microsecond))
				}
			}
		})
	}
}

func runStage(b *testing.B, dsn, redisURL string, d standin.Distribution, rate float64, dur time.Duration) (res *smoke.LoadResult, drawn, served []time.Duration) {
	b.Helper()
	s, err := standin.Start(context.Background(), standin.Options{DSN: dsn, RedisURL: redisURL,
		RedisPrefix: fmt.Sprintf("accuracy-%d:", time.Now().UnixNano()), DisableWorker: true,
		Faults: standin.Faults{HealthLatency: d, RateLimitOff: true}})
	if err != nil {
		b.Fatalf("private stand-in: %v", err)
	}
	defer s.Close()
	res, err = smoke.RunNativeLoad(context.Background(), s.URL, smoke.LoadOptions{
		Plan: smoke.LoadPlan{Rate: rate, Duration: dur}, Timeout: 10 * time.Second})
	if err != nil {
		b.Fatalf("native stage: %v", err)
	}
	if res.Failed > 0 {
		b.Fatalf("native stage: %d failed requests: %v", res.Failed, res.FailCodes)
	}
	return res, s.InjectedHealthLatencies(), s.ServedHealthDurations()
}
