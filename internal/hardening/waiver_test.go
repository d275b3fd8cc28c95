//go:build !prelaunch && !t0 && !day1 && !week1

package hardening

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/report"
)

// TestHardenWaiverFileValidation: unknown row, missing reason, missing owner,
// bad date and expiry are errors that name their line.
func TestHardenWaiverFileValidation(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	file := strings.Join([]string{
		"# launch waivers",                           // 1
		"DB-5 | 2026-12-31 | ana | Neon key pending", // 2 valid
		"XX-1 | 2026-12-31 | ana | typo in the row",  // 3 unknown row
		"SEC-4 | 2026-12-31 | bob |",                 // 4 missing reason
		"SEC-5 | 2026-12-31 |  | Sentry org pending", // 5 missing owner
		"MON-1 | 12/31/2026 | ana | date format",     // 6 bad date
	}, "\n")
	_, err := check.ParseWaivers([]byte(file))
	if err == nil {
		t.Fatal("a waiver file with four bad lines was accepted")
	}
	for _, want := range []string{`line 3: unknown checklist row "XX-1"`, "line 4: waiver for SEC-4 has no reason", "line 5: waiver for SEC-5 has no owner", "line 6: expiry"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %q: %v", want, err)
		}
	}
	ws, err := check.ParseWaivers([]byte("DB-5 | 2026-12-31 | ana | ok\n\nDB-4 | 2026-11-26 | bob | gone stale\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.Validate(now); err == nil || !strings.Contains(err.Error(), "line 3: waiver for DB-4 expired on 2026-11-26") {
		t.Errorf("expired waiver: %v", err)
	}
	if err := ws.Validate(time.Date(2026, 11, 26, 23, 59, 0, 0, time.UTC)); err != nil {
		t.Errorf("a waiver is valid through its expiry day: %v", err)
	}
}

// TestHardenWaiverInLiveCheck: in a live run a missing variable FAILS listing
// it; a valid waiver turns it into "waived" (the report shows [~] with owner
// and expiry and the verdict is not blocked by it); an expired waiver fails
// again naming the expiry; a broken waiver file fails naming its line.
func TestHardenWaiverInLiveCheck(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	future := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	past := time.Now().AddDate(0, 0, -2).Format("2006-01-02")
	cfgWith := func(waivers string) *config.Config {
		c, err := config.Load(func(k string) string {
			return map[string]string{config.HustlexpTarget: "production", config.Waivers: waivers}[k]
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	needNeon := func(cfg *config.Config) func(check.T) {
		return func(ct check.T) {
			check.Item(ct, "DB-5")
			check.Need(ct, cfg, config.NeonAPIKey, config.NeonProjectID)
			ct.Errorf("check ran past check.Need without its configuration")
		}
	}

	r := checktest.Run(t, 10*time.Second, needNeon(cfgWith("")))
	if r.Status() != "fail" || !strings.Contains(r.Text(), "NEON_API_KEY, NEON_PROJECT_ID not set") {
		t.Errorf("no waiver: %s %q", r.Status(), r.Text())
	}
	r = checktest.Run(t, 10*time.Second, needNeon(cfgWith(write("ok", "DB-5 | "+future+" | ana | Neon key issued on launch day\n"))))
	if r.Status() != "waived" || !strings.Contains(r.Attrs[check.AttrReason], "owner ana") || !strings.Contains(r.Attrs[check.AttrReason], future) {
		t.Errorf("valid waiver: status %s reason %q", r.Status(), r.Attrs[check.AttrReason])
	}
	r = checktest.Run(t, 10*time.Second, needNeon(cfgWith(write("expired", "DB-5 | "+past+" | ana | stale\n"))))
	if r.Status() != "fail" || !strings.Contains(r.Text(), "expired on "+past) {
		t.Errorf("expired waiver: %s %q", r.Status(), r.Text())
	}
	r = checktest.Run(t, 10*time.Second, needNeon(cfgWith(write("broken", "DB-5 | "+future+" | ana | ok\nDB-99 | "+future+" | x | y\n"))))
	if r.Status() != "fail" || !strings.Contains(r.Text(), "line 2") || !strings.Contains(r.Text(), "DB-99") {
		t.Errorf("broken waiver file: %s %q", r.Status(), r.Text())
	}

	// The report: a waived row is [~] with why/owner/expiry and does not block.
	c := report.NewCollector()
	c.ReadFrom(strings.NewReader(`{"Action":"run","Package":"p","Test":"TestDB5"}
{"Action":"attr","Package":"p","Test":"TestDB5","Key":"checklist","Value":"DB-5"}
{"Action":"attr","Package":"p","Test":"TestDB5","Key":"status","Value":"waived"}
{"Action":"attr","Package":"p","Test":"TestDB5","Key":"reason","Value":"Neon key issued on launch day (owner ana, expires ` + future + `)"}
{"Action":"skip","Package":"p","Test":"TestDB5","Elapsed":0}
`))
	rep := report.Build(c, report.Options{Target: "production"})
	md := report.Markdown(rep, report.MarkdownOptions{})
	if !strings.Contains(md, "- [~] Backup schedule configured (Neon automated backups) — `DB-5` **WAIVED**: Neon key issued on launch day (owner ana, expires "+future+")") {
		t.Errorf("markdown does not show the waiver:\n%s", md)
	}
	if strings.Contains(strings.Join(rep.Blockers, "\n"), "DB-5") {
		t.Errorf("a waived row blocks: %v", rep.Blockers)
	}
}
