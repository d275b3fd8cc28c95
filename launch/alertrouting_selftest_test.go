//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/alertmanagerfake"
	"github.com/hustlexp/launchcheck/internal/alertmanager"
	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/drill"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/launch"
)

// Alertmanager's time_intervals block (as in its configuration docs) that
// the faulted routes below refer to.
const amTimeIntervals = `time_intervals:
- name: maintenance-window
  time_intervals:
  - weekdays: ['saturday']
    times: [{start_time: '02:00', end_time: '06:00'}]
- name: weekdays
  time_intervals:
  - weekdays: ['monday:friday']
`

// withRoute returns HealthyConfig with extra lines added under the route
// that starts with routeHead, and the time_intervals block.
func withRoute(t *testing.T, routeHead, extra string) string {
	t.Helper()
	if !strings.Contains(alertmanagerfake.HealthyConfig, routeHead) {
		t.Fatalf("HealthyConfig has no route %q", routeHead)
	}
	cfg := strings.Replace(alertmanagerfake.HealthyConfig, routeHead, routeHead+extra, 1)
	return strings.Replace(cfg, "receivers:\n", amTimeIntervals+"receivers:\n", 1)
}

const (
	amP0Route    = "  - receiver: pagerduty-p0\n    matchers: ['severity=\"critical\"']\n"
	amSlackRoute = "  - receiver: slack-alerts\n    matchers: ['severity=~\"warning|info\"']\n"
)

func setAMConfig(t *testing.T, am *alertmanagerfake.Fake, cfg string) {
	t.Helper()
	am.SetConfig(cfg)
	t.Cleanup(func() { am.SetConfig(alertmanagerfake.HealthyConfig) })
}

func setSilence(t *testing.T, am *alertmanagerfake.Fake, s alertmanagerfake.Silence) {
	t.Helper()
	id := am.SetSilence(s)
	t.Cleanup(func() { am.RemoveSilence(id) })
}

// MON-3 pages for P0 at all times: routes with mute/active time intervals,
// active silences, and P0 severities other than HUSTLEXP_P0_SEVERITY that are
// routed nowhere all fail it.
func TestSelfMON3TimeIntervalsAndSilences(t *testing.T) {
	w, env := harness.World(t)
	am := w.Alertmanager
	mon3 := func(e *target.Env) func(check.T) { return func(ct check.T) { launch.PagerDutyForP0(ct, e) } }
	checktest.MustPass(t, monTimeout, mon3(env))
	t.Run("fault=P0 route with mute_time_intervals", func(t *testing.T) {
		setAMConfig(t, am, withRoute(t, amP0Route, "    mute_time_intervals: [maintenance-window]\n"))
		checktest.MustFail(t, monTimeout, mon3(env), "delivers P0 alert(s)", "to receiver pagerduty-p0", "mute_time_intervals [maintenance-window]",
			"HustleXPHighErrorRate", "waive them")
	})
	t.Run("fault=P0 route with active_time_intervals: [weekdays]", func(t *testing.T) {
		setAMConfig(t, am, withRoute(t, amP0Route, "    active_time_intervals: [weekdays]\n"))
		checktest.MustFail(t, monTimeout, mon3(env), "delivers P0 alert(s)", "active_time_intervals [weekdays]", "dropped")
	})
	t.Run("a MON-3 waiver naming the interval accepts it", func(t *testing.T) {
		setAMConfig(t, am, withRoute(t, amP0Route, "    mute_time_intervals: [maintenance-window]\n"))
		exp := time.Now().AddDate(0, 0, 14).Format("2006-01-02")
		ok := writeTemp(t, "waivers.txt", []byte("MON-3 | "+exp+" | sre@hustlexp.invalid | pages held during the Saturday maintenance-window, on-call watches the console\n"))
		r := checktest.MustPass(t, monTimeout, mon3(env.MustWith(map[string]string{config.Waivers: ok})))
		if ev := r.Attrs[check.AttrEvidence+"time_intervals_waived"]; !strings.Contains(ev, "maintenance-window") || !strings.Contains(ev, "waiver line 1") {
			t.Fatalf("time_intervals_waived = %q", ev)
		}
		other := writeTemp(t, "other-waivers.txt", []byte("MON-3 | "+exp+" | sre@hustlexp.invalid | PagerDuty trial account until the contract is signed\n"))
		checktest.MustFail(t, monTimeout, mon3(env.MustWith(map[string]string{config.Waivers: other})), "mute_time_intervals [maintenance-window]")
	})
	t.Run("fault=waiver file unreadable while judging a muted route", func(t *testing.T) {
		setAMConfig(t, am, withRoute(t, amP0Route, "    mute_time_intervals: [maintenance-window]\n"))
		bad := writeTemp(t, "bad-waivers.txt", []byte("MON-3 | next week | sre | muted\n"))
		checktest.MustFail(t, monTimeout, mon3(env.MustWith(map[string]string{config.Waivers: bad})),
			"waiver file "+config.Waivers, `expiry "next week" is not YYYY-MM-DD`, "time intervals of P0 routes")
	})
	t.Run(`fault=active silence severity="critical" for 30 days`, func(t *testing.T) {
		setSilence(t, am, alertmanagerfake.Silence{Matchers: []alertmanager.Matcher{{Name: "severity", Value: "critical"}},
			StartsAt: time.Now().Add(-time.Hour), EndsAt: time.Now().Add(30 * 24 * time.Hour), CreatedBy: "oncall@hustlexp.invalid", Comment: "noisy during load test"})
		checktest.MustFail(t, monTimeout, mon3(env), "active Alertmanager silence", `{severity="critical"}`, "mutes P0 alert(s)", "HustleXPHighErrorRate", "noisy during load test")
	})
	t.Run("an expired or pending silence does not mute", func(t *testing.T) {
		setSilence(t, am, alertmanagerfake.Silence{Matchers: []alertmanager.Matcher{{Name: "severity", Value: "critical"}},
			StartsAt: time.Now().Add(-48 * time.Hour), EndsAt: time.Now().Add(-24 * time.Hour), CreatedBy: "oncall", Comment: "past"})
		setSilence(t, am, alertmanagerfake.Silence{Matchers: []alertmanager.Matcher{{Name: "severity", Value: "page"}},
			StartsAt: time.Now().Add(24 * time.Hour), EndsAt: time.Now().Add(26 * time.Hour), CreatedBy: "oncall", Comment: "planned"})
		checktest.MustPass(t, monTimeout, mon3(env))
	})
	t.Run("fault=Alertmanager refuses GET /api/v2/silences", func(t *testing.T) {
		bad := checktest.FailFront(t, env, config.AlertmanagerURL, pathEnds(http.MethodGet, "/api/v2/silences"), 500, `"failed to list silences"`)
		checktest.MustFail(t, monTimeout, mon3(bad), "/api/v2/silences = 500", "cannot tell whether P0 alerts are silenced")
	})
	t.Run(`fault=severity="page" (P0 for GNG-3) not routed to PagerDuty`, func(t *testing.T) {
		setAMConfig(t, am, strings.Replace(alertmanagerfake.HealthyConfig, "  - receiver: pagerduty-p0\n    matchers: ['severity=~\"P0|p0|page\"']\n", "", 1))
		checktest.MustFail(t, monTimeout, mon3(env), `LaunchcheckRoutingProbe{severity="page"}`, "[slack-alerts]", "P0 routed nowhere")
	})
}

// MON-4: P1/P2 routes with time intervals and active silences fail too.
func TestSelfMON4TimeIntervalsAndSilences(t *testing.T) {
	w, env := harness.World(t)
	am := w.Alertmanager
	mon4 := func(ct check.T) { launch.SlackForP1P2(ct, env) }
	t.Run("fault=P1/P2 route with mute_time_intervals", func(t *testing.T) {
		setAMConfig(t, am, withRoute(t, amSlackRoute, "    mute_time_intervals: [maintenance-window]\n"))
		checktest.MustFail(t, monTimeout, mon4, "delivers P1/P2 alert(s)", "to receiver slack-alerts", "mute_time_intervals [maintenance-window]", "MON-4")
	})
	t.Run(`fault=active silence severity="warning"`, func(t *testing.T) {
		setSilence(t, am, alertmanagerfake.Silence{Matchers: []alertmanager.Matcher{{Name: "severity", Value: "warning"}},
			StartsAt: time.Now().Add(-time.Hour), EndsAt: time.Now().Add(7 * 24 * time.Hour), CreatedBy: "dev@hustlexp.invalid", Comment: "too chatty"})
		checktest.MustFail(t, monTimeout, mon4, "active Alertmanager silence", `{severity="warning"}`, "mutes P1/P2 alert(s)")
	})
}

// A live run carries forward only drills run against staging or production
// (RB-2: a restore of this run's Neon project); others are shown, rejected.
func TestSelfDrillProofLiveTarget(t *testing.T) {
	_, env := harness.World(t)
	dir := t.TempDir()
	record := func(t *testing.T, ds ...drill.Result) string {
		t.Helper()
		path := filepath.Join(dir, strings.NewReplacer(" ", "-", "/", "-").Replace(t.Name())+".jsonl")
		for _, d := range ds {
			if err := drill.Append(path, d); err != nil {
				t.Fatal(err)
			}
		}
		return path
	}
	prod := func(path string) *target.Env {
		return env.MustWith(map[string]string{config.HustlexpTarget: "production", config.Waivers: "", config.DrillRecord: path})
	}
	at := time.Now().Add(-24 * time.Hour)
	t.Run("fault=rehearsal-target record during a production run", func(t *testing.T) {
		// the rehearsal's own record: every drill ran against the rehearsal's fakes
		path := record(t, harness.RehearsalDrills(at)...)
		r := checktest.MustFail(t, monTimeout, func(ct check.T) { launch.PagerDutyForP0(ct, prod(path)) }, "P0 delivery to PagerDuty not proven",
			"no acceptable drill of MON-3", "on rehearsal (launchcheck-rehearsal-earlier-run)", `rejected: target "rehearsal" is not staging or production`)
		if r.Status() != "unverified" {
			t.Fatalf("status %s, want unverified", r.Status())
		}
		if ev := r.Attrs[check.AttrEvidence+"drill_rejected"]; !strings.Contains(ev, "on rehearsal") || !strings.Contains(ev, "rejected: ") {
			t.Fatalf("drill_rejected = %q", ev)
		}
	})
	t.Run("a staging drill proves a production run", func(t *testing.T) {
		d := harness.RehearsalDrills(at)[0]
		d.Target, d.Run = "staging", "launchcheck-staging-run"
		path := record(t, harness.RehearsalDrills(at)[0], d)
		r := checktest.MustPass(t, monTimeout, func(ct check.T) { launch.PagerDutyForP0(ct, prod(path)) })
		if p := r.Attrs[check.AttrEvidence+"drill_proof"]; !strings.Contains(p, "on staging") || !strings.Contains(r.Attrs[check.AttrEvidence+"drill_rejected"], "on rehearsal") {
			t.Fatalf("drill_proof = %q, drill_rejected = %q", p, r.Attrs[check.AttrEvidence+"drill_rejected"])
		}
	})
	t.Run("fault=RB-2 restore drill of another Neon project", func(t *testing.T) {
		d := harness.RehearsalDrills(at)[2]
		d.Target, d.Project = "staging", "old-project-12345678"
		path := record(t, d)
		checktest.MustFail(t, rbTimeout, func(ct check.T) { launch.NeonPITRReady(ct, prod(path)) }, "PITR restore not proven",
			"restored Neon project old-project-12345678, not this run's", config.NeonProjectID)
	})
}
