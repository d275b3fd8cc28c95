package check

import (
	"fmt"
	"strings"
	"time"

	"github.com/hustlexp/launchcheck/internal/config"
)

// Need is the one place where missing configuration is handled. In a live run
// every missing variable is listed and the check FAILS, unless a valid waiver
// covers the row, in which case the check is reported as waived (skipped).
// In the rehearsal a missing variable is a bug of the world and also fails.
// The harness calls it with the row's declared Needs before the check runs;
// a check may call it again for a variable it needs (harmless duplicate).
// An entry "A|B" (AnyOf) is satisfied by either variable.
func Need(t T, cfg *config.Config, names ...string) {
	t.Helper()
	missing := Missing(cfg, names...)
	if len(missing) == 0 {
		return
	}
	NotConfigured(t, cfg, fmt.Sprintf("%s not set", strings.Join(missing, ", ")))
}

// NotConfigured fails (or waives) the check because something it needs is not configured.
func NotConfigured(t T, cfg *config.Config, what string) {
	t.Helper()
	row := RowOf(t)
	if cfg.Live() {
		ws, err := LoadWaivers(cfg)
		if err != nil {
			t.Fatalf("waiver file %s: %v", config.Waivers, err)
		}
		if w, ok := ws.For(row, time.Now()); ok {
			Waive(t, w)
			return
		}
		if w, ok := ws.Expired(row, time.Now()); ok {
			t.Fatalf("live config incomplete for %s: %s (README#environment); waiver for %s expired on %s (owner %s)",
				cfg.Target, what, row, w.Expiry.Format("2006-01-02"), w.Owner)
		}
		t.Fatalf("live config incomplete for %s: %s (README#environment)", cfg.Target, what)
	}
	t.Fatalf("rehearsal world incomplete: %s (bug in the rehearsal world)", what)
}

// Waive reports the row as waived and stops the check without failing.
func Waive(t T, w Waiver) {
	t.Helper()
	t.Attr(AttrStatus, "waived")
	t.Attr(AttrReason, oneLine(fmt.Sprintf("%s (owner %s, expires %s)", w.Reason, w.Owner, w.Expiry.Format("2006-01-02"))))
	t.Skipf("WAIVED %s: %s (owner %s, expires %s)", w.Row, w.Reason, w.Owner, w.Expiry.Format("2006-01-02"))
}
