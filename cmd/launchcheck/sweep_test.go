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

// A tagged sweep of one finished run works at once: no one-hour minimum,
// and --tag without --older-than sweeps whatever age.
func TestSweepTaggedRunAtOnce(t *testing.T) {
	cfg, err := config.Load(func(k string) string {
		return map[string]string{config.HustlexpTarget: "staging"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	code, out := sweepRun(cfg, 0, true, false, "launchcheck-20261130010203-cafe01")
	if code != 0 || strings.Contains(out, "too short") || !strings.Contains(out, "older than 0s") {
		t.Fatalf("tagged sweep refused: exit %d: %s", code, out)
	}
	if code, out := sweepRun(cfg, 0, true, false, "not-a-tag"); code != 2 || !strings.Contains(out, "not a run tag") {
		t.Fatalf("exit %d: %s", code, out)
	}
	t.Setenv(config.HustlexpTarget, "staging")
	var stdout, stderr strings.Builder
	if code := cmdSweep([]string{"--dry-run", "--tag", "launchcheck-20261130010203-cafe01"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "older than 0s") {
		t.Fatalf("launchcheck sweep --tag: exit %d: %s %s", code, stdout.String(), stderr.String())
	}
	stdout.Reset()
	if code := cmdSweep([]string{"--dry-run", "--tag", "launchcheck-20261130010203-cafe01", "--older-than", "30m"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "older than 30m0s") {
		t.Fatalf("launchcheck sweep --tag --older-than 30m: exit %d: %s", code, stdout.String())
	}
}
