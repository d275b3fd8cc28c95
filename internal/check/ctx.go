package check

import (
	"context"

	"github.com/hustlexp/launchcheck/internal/config"
)

// Ctx returns the check's context bounded by HUSTLEXP_CHECK_TIMEOUT: every
// network call a check makes hangs off it, so no check outlives its deadline.
func Ctx(t T, cfg *config.Config) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), cfg.Duration(config.CheckTimeout))
	t.Cleanup(cancel)
	return ctx
}
