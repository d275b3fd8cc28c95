package harness

import (
	"context"
	"path/filepath"
	"time"

	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/drill"
	"github.com/hustlexp/launchcheck/internal/world"
)

// The rehearsal's drill record holds the passing drills "an earlier run"
// recorded a day ago (MON-3, MON-4, RB-2, RB-4): the rows carry them forward
// as their dated proof. Self-tests fault it (empty, stale) and run drills that
// append to a record of their own.
func init() {
	Register(world.Component{Name: "drills", Order: 30, Start: func(ctx context.Context, w *world.World) error {
		path := filepath.Join(w.Dir, "drills.jsonl")
		for _, r := range RehearsalDrills(time.Now().Add(-24 * time.Hour)) {
			if err := drill.Append(path, r); err != nil {
				return err
			}
		}
		w.SetEnv(config.DrillRecord, path)
		return nil
	}})
}

// RehearsalDrills are the drill results the rehearsal's record starts with.
func RehearsalDrills(at time.Time) []drill.Result {
	run := "launchcheck-rehearsal-earlier-run"
	return []drill.Result{
		{Row: "MON-3", At: at, Target: "rehearsal", Run: run, Result: "P0 alert reached PagerDuty as an incident after 1.2s, resolved"},
		{Row: "MON-4", At: at, Target: "rehearsal", Run: run, Result: "message posted to #alerts and deleted"},
		{Row: "RB-2", At: at, Target: "rehearsal", Run: run, Result: "branch restored to 1h ago in 3.4s, row counts matched, deleted"},
		{Row: "RB-4", At: at, Target: "rehearsal", Run: run, Result: "maintenance switch-over 0.8s"},
	}
}
