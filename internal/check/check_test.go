//go:build !prelaunch && !t0 && !day1 && !week1

package check_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
)

func TestParseWaiversNamesTheLine(t *testing.T) {
	_, err := check.ParseWaivers([]byte("# waivers\nDB-5 | 2099-01-01 | ops@hustlexp.app | Neon key pending\nXX-9 | 2099-01-01 | a | b\nSEC-5 | 2099-01-01 | a |\nMON-3 | tomorrow | a | b\n"))
	if err == nil {
		t.Fatal("bad waiver file accepted")
	}
	for _, want := range []string{"line 3: unknown checklist row \"XX-9\"", "line 4: waiver for SEC-5 has no reason", "line 5: expiry \"tomorrow\""} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	ws, err := check.ParseWaivers([]byte("DB-5 | 2020-01-01 | ops | old\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.Validate(time.Now()); err == nil || !strings.Contains(err.Error(), "line 1: waiver for DB-5 expired on 2020-01-01") {
		t.Errorf("expired waiver not reported by line: %v", err)
	}
}

func liveCfg(t *testing.T, kv map[string]string) *config.Config {
	t.Helper()
	c, err := config.Load(func(k string) string { return kv[k] })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNeedFailsListingEveryMissingVariable(t *testing.T) {
	cfg := liveCfg(t, map[string]string{config.HustlexpTarget: "production"})
	r := checktest.Run(t, 5*time.Second, func(ct check.T) {
		check.Item(ct, "DB-5")
		check.Need(ct, cfg, config.NeonAPIKey, config.NeonProjectID, config.NeonAPIURL)
	})
	if !r.Failed || !strings.Contains(r.Text(), "live config incomplete for production: NEON_API_KEY, NEON_PROJECT_ID not set") {
		t.Fatalf("want a failure listing both variables, got %s: %s", r.Status(), r.Text())
	}
}

func TestNeedHonoursValidWaiverAndRejectsExpired(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "waivers")
	os.WriteFile(file, []byte("DB-5 | 2099-12-31 | ops@hustlexp.app | Neon API key issued after launch\nSEC-5 | 2020-01-01 | ops | old\n"), 0o644)
	cfg := liveCfg(t, map[string]string{config.HustlexpTarget: "staging", config.Waivers: file})
	r := checktest.Run(t, 5*time.Second, func(ct check.T) {
		check.Item(ct, "DB-5")
		check.Need(ct, cfg, config.NeonAPIKey)
	})
	if r.Failed || r.Status() != "waived" || !strings.Contains(r.Attrs[check.AttrReason], "ops@hustlexp.app") {
		t.Fatalf("valid waiver: status %s, attrs %v, msgs %s", r.Status(), r.Attrs, r.Text())
	}
	r = checktest.Run(t, 5*time.Second, func(ct check.T) {
		check.Item(ct, "SEC-5")
		check.Need(ct, cfg, config.NeonAPIKey)
	})
	if !r.Failed || !strings.Contains(r.Text(), "expired on 2020-01-01") {
		t.Fatalf("expired waiver must fail: %s %s", r.Status(), r.Text())
	}
}

func TestPollStopsOnPermanentError(t *testing.T) {
	calls := 0
	start := time.Now()
	err := check.Poll(context.Background(), 10*time.Second, func(context.Context) error {
		calls++
		return check.Permanent(errors.New("401 Unauthorized"))
	})
	if calls != 1 || time.Since(start) > time.Second || !check.IsPermanent(err) {
		t.Fatalf("calls=%d elapsed=%s err=%v", calls, time.Since(start), err)
	}
	err = check.Poll(context.Background(), 300*time.Millisecond, func(context.Context) error { return errors.New("503") })
	if err == nil || !strings.Contains(err.Error(), "deadline 300ms passed") {
		t.Fatalf("transient error past deadline: %v", err)
	}
}

func TestUnverifiedFailsTheRow(t *testing.T) {
	r := checktest.Run(t, 5*time.Second, func(ct check.T) { check.Unverified(ct, "only %d requests in 15m", 3) })
	if !r.Failed || r.Status() != "unverified" {
		t.Fatalf("unverified must fail as unverified, got %s", r.Status())
	}
}

// A wait longer than HUSTLEXP_CHECK_TIMEOUT is cut short by the check's
// deadline: Poll says so, naming both variables, instead of blaming its own.
func TestPollNamesTheDeadlineThatExpired(t *testing.T) {
	cfg, err := config.Load(func(k string) string { return map[string]string{config.CheckTimeout: "200ms"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	var got error
	checktest.Run(t, 5*time.Second, func(ct check.T) {
		got = check.PollFor(check.Ctx(ct, cfg), config.DNSDeadline, 10*time.Second, func(context.Context) error { return errors.New("NXDOMAIN") })
	})
	if got == nil || !strings.Contains(got.Error(), "the check's deadline HUSTLEXP_CHECK_TIMEOUT=200ms passed before the wait's own deadline HUSTLEXP_DNS_DEADLINE=10s") {
		t.Fatalf("check deadline not named: %v", got)
	}
	checktest.Run(t, 5*time.Second, func(ct check.T) {
		got = check.PollFor(check.CtxPlus(ct, cfg, config.DNSDeadline, 300*time.Millisecond), config.DNSDeadline, 300*time.Millisecond, func(context.Context) error { return errors.New("NXDOMAIN") })
	})
	if got == nil || !strings.Contains(got.Error(), "deadline HUSTLEXP_DNS_DEADLINE=300ms passed") || strings.Contains(got.Error(), "check's deadline") {
		t.Fatalf("own deadline not named (CtxPlus leaves room for the wait): %v", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got = check.PollFor(ctx, config.RestoreTimeout, time.Minute, func(context.Context) error { return errors.New("pending") })
	if got == nil || !strings.Contains(got.Error(), "the check ended (context canceled) before the wait's own deadline HUSTLEXP_RESTORE_TIMEOUT=1m0s") {
		t.Fatalf("cancelled caller not said: %v", got)
	}
}
