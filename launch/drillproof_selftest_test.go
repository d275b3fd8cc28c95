//go:build !prelaunch && !t0 && !day1 && !week1

package launch_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/drill"
	"github.com/hustlexp/launchcheck/internal/harness"
	"github.com/hustlexp/launchcheck/internal/target"
	"github.com/hustlexp/launchcheck/launch"
)

// Delivery / switch-over / restore proof: a drill in this run, or a dated
// drill result no older than 7 days carried forward; otherwise unverified.
func TestSelfDrillProof(t *testing.T) {
	_, env := harness.World(t)
	rows := []struct {
		row     string
		timeout time.Duration
		fn      func(check.T, *target.Env)
		drill   map[string]string // turns this run's drill on
	}{
		{"MON-3", monTimeout, launch.PagerDutyForP0, map[string]string{config.AlertDrill: "1"}},
		{"MON-4", monTimeout, launch.SlackForP1P2, map[string]string{config.AlertDrill: "1"}},
		{"RB-2", rbTimeout, launch.NeonPITRReady, nil},
		{"RB-4", rbTimeout, launch.MaintenancePageReady, map[string]string{config.MaintenanceDrill: "1"}},
	}
	for _, rw := range rows {
		t.Run(rw.row, func(t *testing.T) {
			r := checktest.MustPass(t, rw.timeout, func(ct check.T) { rw.fn(ct, env) })
			if p := r.Attrs[check.AttrEvidence+"drill_proof"]; !strings.Contains(p, "(carried forward)") || !strings.HasPrefix(p, "drill 20") {
				t.Fatalf("healthy %s: drill_proof = %q, want a dated drill carried forward", rw.row, p)
			}
			dir := t.TempDir()
			unverified := func(t *testing.T, e *target.Env, wants ...string) {
				t.Helper()
				r := checktest.MustFail(t, rw.timeout, func(ct check.T) { rw.fn(ct, e) }, append([]string{"not proven"}, wants...)...)
				if r.Status() != "unverified" {
					t.Fatalf("status %s, want unverified", r.Status())
				}
			}
			t.Run("fault=no drill record", func(t *testing.T) {
				unverified(t, env.MustWith(map[string]string{config.DrillRecord: ""}), config.DrillRecord+" is not set")
			})
			t.Run("fault=record without this row", func(t *testing.T) {
				path := filepath.Join(dir, "other.jsonl")
				for _, d := range harness.RehearsalDrills(time.Now().Add(-time.Hour)) {
					if d.Row != rw.row {
						if err := drill.Append(path, d); err != nil {
							t.Fatal(err)
						}
					}
				}
				unverified(t, env.MustWith(map[string]string{config.DrillRecord: path}), "none of "+rw.row+" recorded")
			})
			t.Run("fault=last drill 8 days old", func(t *testing.T) {
				path := filepath.Join(dir, "stale.jsonl")
				for _, d := range harness.RehearsalDrills(time.Now().Add(-8 * 24 * time.Hour)) {
					if err := drill.Append(path, d); err != nil {
						t.Fatal(err)
					}
				}
				unverified(t, env.MustWith(map[string]string{config.DrillRecord: path}), "older than 168h", config.DrillMaxAge)
			})
			t.Run("fault=record file corrupt", func(t *testing.T) {
				path := filepath.Join(dir, "bad.jsonl")
				if err := os.WriteFile(path, []byte("{not json\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				checktest.MustFail(t, rw.timeout, func(ct check.T) { rw.fn(ct, env.MustWith(map[string]string{config.DrillRecord: path})) }, config.DrillRecord+" line 1: not a drill result")
			})
			if rw.drill == nil {
				return
			}
			t.Run("a drill in this run is recorded and proves the row", func(t *testing.T) {
				path := filepath.Join(dir, "fresh.jsonl")
				m := map[string]string{config.DrillRecord: path}
				for k, v := range rw.drill {
					m[k] = v
				}
				r := checktest.MustPass(t, rw.timeout, func(ct check.T) { rw.fn(ct, env.MustWith(m)) })
				if p := r.Attrs[check.AttrEvidence+"drill_proof"]; !strings.Contains(p, "this run") {
					t.Fatalf("drill_proof = %q", p)
				}
				got, ok, why, err := drill.Latest(env.MustWith(m).Cfg, rw.row, time.Now())
				if err != nil || !ok || got.Run != env.Tag() {
					t.Fatalf("record after the drill: %+v ok=%v why=%q err=%v", got, ok, why, err)
				}
			})
			t.Run("fault=drill record not writable", func(t *testing.T) {
				m := map[string]string{config.DrillRecord: filepath.Join(dir, "no-such-dir", "drills.jsonl")}
				for k, v := range rw.drill {
					m[k] = v
				}
				checktest.MustFail(t, rw.timeout, func(ct check.T) { rw.fn(ct, env.MustWith(m)) }, "drill passed but could not be recorded", config.DrillRecord)
			})
		})
	}
}
