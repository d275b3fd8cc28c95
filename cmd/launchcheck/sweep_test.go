//go:build !prelaunch && !t0 && !day1 && !week1

package main

import (
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/internal/config"
)

func TestSweepRefusesProductionWithoutFlag(t *testing.T) {
	cfg, err := config.Load(func(k string) string {
		return map[string]string{config.HustlexpTarget: "production"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	code, out := sweepRun(cfg, 24*time.Hour, true, false, "")
	if code != 2 || !strings.Contains(out, "refusing to sweep PRODUCTION without --production") {
		t.Fatalf("exit %d: %s", code, out)
	}
	// Too short a cutoff on a live target could eat a run in progress.
	code, out = sweepRun(cfg, 10*time.Minute, true, true, "")
	if code != 2 || !strings.Contains(out, "too short") {
		t.Fatalf("exit %d: %s", code, out)
	}
	// With the flag and nothing configured it says what it skipped.
	code, out = sweepRun(cfg, 24*time.Hour, true, true, "")
	if code != 0 || !strings.Contains(out, config.SweepDatabaseURL) || !strings.Contains(out, "Stripe skipped") {
		t.Fatalf("exit %d: %s", code, out)
	}
}
