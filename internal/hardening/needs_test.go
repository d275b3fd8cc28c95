//go:build !prelaunch && !t0 && !day1 && !week1

package hardening

import (
	"slices"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/rows"
)

// needs reports whether row id declares variable name in its Needs.
func needs(id, name string) bool {
	r, ok := rows.ByID(id)
	return ok && slices.Contains(check.Variables(r.Needs...), name)
}
