package functional

import (
	"sync"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/target"
)

// flowNeeds are what every functional row needs in a live run (the flow
// signs users up with Identity Toolkit and verifies them as the Admin SDK does in emulator mode).
var flowNeeds = []string{config.BaseURL, config.DatabaseURL, config.StripeSecretKey, config.FirebaseProjectID,
	config.FirebaseWebAPIKey, config.FirebaseCredentialsFile}

// flowOptional are read when set: fixed test-user credentials, the internal
// API key the client sends where the API accepts it.
var flowOptional = []string{config.FunPosterEmail, config.FunPosterPassword, config.InternalAPIKey, config.FirebaseAuthEmulatorHost}

// Rows declares the functional rows in the contract's flow order (FUN-5
// creates the PaymentIntent before FUN-4 funds it; funding precedes
// acceptance, FUN-3). The tagged test TestFunctionalFlow runs them as ordered
// steps over one flow that it cleans up; each step reports its own row.
var Rows = []check.Row{
	{ID: "FUN-1", Test: "TestFunctionalFlow/Registration", Check: RegistrationRow, Needs: flowNeeds, Optional: flowOptional},
	{ID: "FUN-2", Test: "TestFunctionalFlow/TaskCreation", Check: TaskCreationRow, Needs: flowNeeds, Optional: flowOptional},
	{ID: "FUN-5", Test: "TestFunctionalFlow/PaymentIntentCreation", Check: PaymentIntentCreationRow, Needs: flowNeeds, Optional: flowOptional},
	{ID: "FUN-4", Test: "TestFunctionalFlow/EscrowFunding", Check: EscrowFundingRow, Needs: flowNeeds, Optional: flowOptional},
	{ID: "FUN-3", Test: "TestFunctionalFlow/TaskAcceptance", Check: TaskAcceptanceRow, Needs: flowNeeds, Optional: flowOptional},
	{ID: "FUN-6", Test: "TestFunctionalFlow/ProofSubmission", Check: ProofSubmissionRow, Needs: flowNeeds, Optional: flowOptional},
	{ID: "FUN-7", Test: "TestFunctionalFlow/EscrowRelease", Check: EscrowReleaseRow, Needs: flowNeeds, Optional: flowOptional},
}

var (
	sharedMu sync.Mutex
	shared   = map[*target.Env]*Flow{}
)

// Share starts one flow for env that every row run on env uses, and cleans
// it up (test users deleted, PaymentIntents cancelled or refunded) when t —
// the ordered test that owns the steps — ends.
func Share(t check.T, env *target.Env) {
	f := NewFlow(env)
	sharedMu.Lock()
	shared[env] = f
	sharedMu.Unlock()
	t.Cleanup(func() {
		sharedMu.Lock()
		delete(shared, env)
		sharedMu.Unlock()
		for _, line := range f.Close() {
			t.Logf("cleanup: %s", line)
		}
	})
}

// The row checks: each runs its row on the flow Share started for env, or
// else on a flow of its own that runs every earlier step the row depends on
// and is cleaned up when the row ends.
func RegistrationRow(t check.T, env *target.Env) { t.Helper(); onFlow(t, env, Registration) }
func TaskCreationRow(t check.T, env *target.Env) { t.Helper(); onFlow(t, env, TaskCreation) }
func PaymentIntentCreationRow(t check.T, env *target.Env) {
	t.Helper()
	onFlow(t, env, PaymentIntentCreation)
}
func EscrowFundingRow(t check.T, env *target.Env)   { t.Helper(); onFlow(t, env, EscrowFunding) }
func TaskAcceptanceRow(t check.T, env *target.Env)  { t.Helper(); onFlow(t, env, TaskAcceptance) }
func ProofSubmissionRow(t check.T, env *target.Env) { t.Helper(); onFlow(t, env, ProofSubmission) }
func EscrowReleaseRow(t check.T, env *target.Env)   { t.Helper(); onFlow(t, env, EscrowRelease) }

func onFlow(t check.T, env *target.Env, row func(check.T, *Flow)) {
	t.Helper()
	sharedMu.Lock()
	f := shared[env]
	sharedMu.Unlock()
	if f == nil {
		f = NewFlow(env)
		t.Cleanup(func() {
			for _, line := range f.Close() {
				t.Logf("cleanup: %s", line)
			}
		})
	}
	row(t, f)
}
