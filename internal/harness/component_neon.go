package harness

import (
	"context"

	"github.com/hustlexp/launchcheck/fixtures/fakes/neonfake"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/world"
)

// Rehearsal values of the Neon fake.
const (
	RehearsalNeonProject = "rehearsal-hustlexp"
	RehearsalNeonKey     = "rehearsal-neon-api-key"
)

func init() {
	Register(world.Component{Name: "neon", Order: 20, Start: func(ctx context.Context, w *world.World) error {
		f := neonfake.New(RehearsalNeonKey, neonfake.Healthy(RehearsalNeonProject, neonfake.HostOf(w.AdminDSN())))
		w.OnClose(f.Close)
		partsOf(w).Neon = f
		w.SetEnv(config.NeonAPIURL, f.URL)
		w.SetEnv(config.NeonAPIKey, RehearsalNeonKey)
		w.SetEnv(config.NeonProjectID, RehearsalNeonProject)
		return nil
	}})
}
