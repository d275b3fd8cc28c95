package check

import (
	"context"
	"fmt"
	"time"

	"github.com/hustlexp/launchcheck/internal/config"
)

// checkDeadlineKey marks a context made by Ctx/CtxPlus with the knob that
// bounds it, so Poll can name the right variable when that deadline, not
// the wait's own, cuts a wait short.
type checkDeadlineKey struct{}

// Ctx returns the check's context bounded by HUSTLEXP_CHECK_TIMEOUT: every
// network call a check makes hangs off it, so no check outlives its deadline.
func Ctx(t T, cfg *config.Config) context.Context {
	d := cfg.Duration(config.CheckTimeout)
	return ctxFor(t, d, fmt.Sprintf("%s=%s", config.CheckTimeout, d))
}

// CtxPlus is Ctx for a check that waits: HUSTLEXP_CHECK_TIMEOUT plus the
// wait's own deadline (named by waitVar), so a wait longer than the check
// timeout is not cut short by it.
func CtxPlus(t T, cfg *config.Config, waitVar string, wait time.Duration) context.Context {
	d := cfg.Duration(config.CheckTimeout)
	return ctxFor(t, d+wait, fmt.Sprintf("%s=%s + %s=%s", config.CheckTimeout, d, waitVar, wait))
}

func ctxFor(t T, d time.Duration, knob string) context.Context {
	ctx, cancel := context.WithTimeout(context.WithValue(t.Context(), checkDeadlineKey{}, knob), d)
	t.Cleanup(cancel)
	return ctx
}
