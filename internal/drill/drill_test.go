//go:build !prelaunch && !t0 && !day1 && !week1

package drill

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/internal/config"
)

func cfgFor(t *testing.T, kv map[string]string) *config.Config {
	t.Helper()
	c, err := config.LoadLookup(func(k string) (string, bool) { v, ok := kv[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFindAcceptsOnlyLiveDrillsInLiveRuns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "drills.jsonl")
	at := time.Now().Add(-time.Hour)
	for _, r := range []Result{
		{Row: "MON-3", At: at, Target: "rehearsal", Run: "r1", Result: "fake"},
		{Row: "RB-2", At: at, Target: "staging", Run: "r2", Result: "restored", Project: "proj-old"},
		{Row: "RB-4", At: at, Target: "staging", Run: "r3", Result: "switch-over"},
	} {
		if err := Append(path, r); err != nil {
			t.Fatal(err)
		}
	}
	prod := cfgFor(t, map[string]string{config.HustlexpTarget: "production", config.DrillRecord: path, config.NeonProjectID: "proj-new"})
	reh := cfgFor(t, map[string]string{config.DrillRecord: path, config.NeonProjectID: "proj-new"})
	for _, tc := range []struct {
		cfg  *config.Config
		row  string
		ok   bool
		want string
	}{
		{prod, "MON-3", false, `target "rehearsal" is not staging or production`},
		{reh, "MON-3", true, "on rehearsal"},
		{prod, "RB-2", false, "restored Neon project proj-old, not this run's proj-new"},
		{reh, "RB-2", false, "restored Neon project proj-old"},
		{prod, "RB-4", true, "on staging"},
	} {
		f, err := Find(tc.cfg, tc.row, time.Now())
		if err != nil || f.OK != tc.ok || !strings.Contains(f.Why, tc.want) {
			t.Errorf("%s run, %s: ok=%v why=%q err=%v; want ok=%v and %q", tc.cfg.Target, tc.row, f.OK, f.Why, err, tc.ok, tc.want)
		}
	}
}

func TestRecordNamesTheNeonProjectOfARestoreDrill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "drills.jsonl")
	cfg := cfgFor(t, map[string]string{config.HustlexpTarget: "staging", config.DrillRecord: path, config.NeonProjectID: "proj-1"})
	if _, err := Record(cfg, Result{Row: "RB-2", At: time.Now(), Target: "staging", Run: "r", Result: "restored"}); err != nil {
		t.Fatal(err)
	}
	ds, err := read(path)
	if err != nil || len(ds) != 1 || ds[0].Project != "proj-1" {
		t.Fatalf("recorded %+v, %v", ds, err)
	}
}
