package functional

import "github.com/hustlexp/launchcheck/internal/check"

// The seven rows share one Flow (see flow.go): each check runs the flow up
// to its own step, reports that step, and fails "blocked by FUN-n" when an
// earlier row's step failed.

// Registration is FUN-1: User registration flow works (Firebase Auth).
// Poster and hustler sign up through the Identity Toolkit (accounts:signUp),
// call user.register with their ID tokens and user.me; a users row with the
// firebase_uid exists for each.
func Registration(t check.T, f *Flow) { t.Helper(); f.Row(t, "FUN-1") }

// TaskCreation is FUN-2: Task creation succeeds (OPEN state). task.create
// returns an OPEN task; tasks and escrows rows show OPEN and one PENDING
// escrow whose amount equals the price.
func TaskCreation(t check.T, f *Flow) { t.Helper(); f.Row(t, "FUN-2") }

// TaskAcceptance is FUN-3: Task acceptance succeeds (OPEN → ACCEPTED). On a
// second, unfunded task assignWorker must be refused (412); on the funded
// task applyForTask + assignWorker move it to ACCEPTED with the hustler as
// worker_id.
func TaskAcceptance(t check.T, f *Flow) { t.Helper(); f.Row(t, "FUN-3") }

// EscrowFunding is FUN-4: Escrow creation + funding works (PENDING → FUNDED).
// The PaymentIntent is confirmed as the client would, escrow.confirmFunding
// records it: FUNDED with stripe_payment_intent_id and funded_at.
func EscrowFunding(t check.T, f *Flow) { t.Helper(); f.Row(t, "FUN-4") }

// PaymentIntentCreation is FUN-5: Stripe payment intent creates
// successfully. escrow.createPaymentIntent returns paymentIntentId,
// clientSecret and amountCents = price; Stripe shows the same amount and
// metadata.task_id.
func PaymentIntentCreation(t check.T, f *Flow) { t.Helper(); f.Row(t, "FUN-5") }

// ProofSubmission is FUN-6: Proof submission flow works. A photo is
// uploaded through a presigned URL, task.submitProof answers
// PROOF_SUBMITTED, and the proofs row exists in state SUBMITTED.
func ProofSubmission(t check.T, f *Flow) { t.Helper(); f.Row(t, "FUN-6") }

// EscrowRelease is FUN-7: Escrow release + payout works (FUNDED → RELEASED).
// After reviewProof and task.complete the escrow reaches RELEASED with
// STRIPE payout evidence, the Stripe transfer names the escrow and goes to
// the hustler's connected account (users.stripe_connect_id), and exactly one
// xp_ledger row is written.
func EscrowRelease(t check.T, f *Flow) { t.Helper(); f.Row(t, "FUN-7") }
