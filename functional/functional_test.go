//go:build t0

package functional

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/harness"
)

// FUN-1…FUN-7: one functional flow over the real API, run as ordered steps in
// the contract's order (Rows); each step reports its own row, and this test
// cleans the flow up (test users deleted, PaymentIntents cancelled or
// refunded, transfers reversed) after its last step. A step selected alone
// (-run 'TestFunctionalFlow/EscrowRelease') runs the steps it depends on.
func TestFunctionalFlow(t *testing.T) { harness.Ordered(t, Rows, Share) }
