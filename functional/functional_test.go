//go:build t0

package functional

import (
	"flag"
	"regexp"
	"sync"
	"testing"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/harness"
)

// The seven tests share one flow and run in the contract's order (FUN-5
// creates the PaymentIntent before FUN-4 funds it; funding precedes
// acceptance, FUN-3). The flow is cleaned up (test users deleted,
// PaymentIntents cancelled) after the last of them that this run selects.

var (
	shared  *Flow
	pending map[string]bool
	pendMu  sync.Mutex
)

var funTests = []string{"TestFunctionalRegistration", "TestFunctionalTaskCreation", "TestFunctionalPaymentIntentCreation",
	"TestFunctionalEscrowFunding", "TestFunctionalTaskAcceptance", "TestFunctionalProofSubmission", "TestFunctionalEscrowRelease"}

// selected reports whether -run/-skip select the top-level test name.
func selected(name string) bool {
	match := func(flagName string, empty bool) bool {
		f := flag.Lookup(flagName)
		if f == nil || f.Value.String() == "" {
			return empty
		}
		re, err := regexp.Compile(regexp.MustCompile(`/.*$`).ReplaceAllString(f.Value.String(), ""))
		return err != nil || re.MatchString(name)
	}
	return match("test.run", true) && !match("test.skip", false)
}

func flowFor(t *testing.T) *Flow {
	env := harness.Target(t)
	pendMu.Lock()
	defer pendMu.Unlock()
	if shared == nil {
		shared = NewFlow(env)
		pending = map[string]bool{}
		for _, n := range funTests {
			if selected(n) {
				pending[n] = true
			}
		}
	}
	f := shared
	t.Cleanup(func() {
		pendMu.Lock()
		delete(pending, t.Name())
		last := len(pending) == 0
		if last {
			shared = nil // a further -count iteration starts a new flow
		}
		pendMu.Unlock()
		if last {
			for _, line := range f.Close() {
				t.Logf("cleanup: %s", line)
			}
		}
	})
	return f
}

// FUN-1: User registration flow works (Firebase Auth).
func TestFunctionalRegistration(t *testing.T) {
	check.Item(t, "FUN-1")
	Registration(t, flowFor(t))
}

// FUN-2: Task creation succeeds (OPEN state).
func TestFunctionalTaskCreation(t *testing.T) {
	check.Item(t, "FUN-2")
	TaskCreation(t, flowFor(t))
}

// FUN-5: Stripe payment intent creates successfully.
func TestFunctionalPaymentIntentCreation(t *testing.T) {
	check.Item(t, "FUN-5")
	PaymentIntentCreation(t, flowFor(t))
}

// FUN-4: Escrow creation + funding works (PENDING → FUNDED).
func TestFunctionalEscrowFunding(t *testing.T) {
	check.Item(t, "FUN-4")
	EscrowFunding(t, flowFor(t))
}

// FUN-3: Task acceptance succeeds (OPEN → ACCEPTED).
func TestFunctionalTaskAcceptance(t *testing.T) {
	check.Item(t, "FUN-3")
	TaskAcceptance(t, flowFor(t))
}

// FUN-6: Proof submission flow works.
func TestFunctionalProofSubmission(t *testing.T) {
	check.Item(t, "FUN-6")
	ProofSubmission(t, flowFor(t))
}

// FUN-7: Escrow release + payout works (FUNDED → RELEASED).
func TestFunctionalEscrowRelease(t *testing.T) {
	check.Item(t, "FUN-7")
	EscrowRelease(t, flowFor(t))
}
