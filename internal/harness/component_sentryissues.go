package harness

import (
	"context"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/sentryfake"
	"github.com/hustlexp/launchcheck/internal/world"
)

func init() {
	// The Sentry fake's issues list (DAY-4) with a healthy day after launch.
	Register(world.Component{Name: "sentry-issues", Order: 21, Start: func(ctx context.Context, w *world.World) error {
		f := partsOf(w).Sentry
		ok := f != nil
		if !ok {
			return nil
		}
		f.EnableIssues(sentryfake.HealthyIssues(time.Now()))
		return nil
	}})
}
