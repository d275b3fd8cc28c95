package smoke

import (
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/internal/config"
)

// With the production defaults (60 requests/min/IP, the probe already
// spent) the native stage must plan at least its own minimum of samples.
// Before: 30 s at 0.9/s = 27 < 30, so SMK-1 was unverified by default.
func TestLoadDefaultsReachMinimum(t *testing.T) {
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	rate, dur, minN := cfg.Int(config.LoadRate), cfg.Duration(config.LoadDuration), cfg.Int(config.LoadMinSamples)
	for _, remaining := range []int{59, 50} {
		p := PlanLoad(float64(rate), dur, 60, remaining, false)
		if p.Requests() < minN {
			t.Errorf("production defaults (%s=%d, %s=%s, limit 60/min, %d remaining) plan %d requests, below %s=%d",
				config.LoadRate, rate, config.LoadDuration, dur, remaining, p.Requests(), config.LoadMinSamples, minN)
		}
		t.Logf("limit 60/min, %d remaining: %.2f/s for %s = %d requests (minimum %d)", remaining, p.Rate, p.Duration, p.Requests(), minN)
	}
}

func TestDurationFor(t *testing.T) {
	for _, tc := range []struct {
		n, limit int
		want     time.Duration
	}{{30, 60, 35 * time.Second}, {30, 600, 5 * time.Second}, {100, 60, 115 * time.Second}, {30, 2, 0}} {
		if got := DurationFor(tc.n, tc.limit); got != tc.want {
			t.Errorf("DurationFor(%d, %d) = %s, want %s", tc.n, tc.limit, got, tc.want)
		}
		if tc.want > 0 {
			if p := PlanLoad(100, tc.want, tc.limit, tc.limit, false); p.Requests() < tc.n {
				t.Errorf("DurationFor(%d, %d) = %s plans only %d", tc.n, tc.limit, tc.want, p.Requests())
			}
		}
	}
	if !strings.Contains(PlanLoad(5, time.Second, 60, 10, false).Reason, "lowered") {
		t.Fatal("no reason")
	}
}
