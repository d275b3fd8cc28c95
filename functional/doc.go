// Package functional holds the launch-day functional verification FUN-1..FUN-7
// (tag t0): one flow over the real API, one test per checklist row.
//
// The flow follows contract §10 with two Firebase identities (a poster and a
// hustler, signed up through the Identity Toolkit REST API):
//
//	FUN-1 user.register ×2, user.me           users rows with firebase_uid
//	FUN-2 task.create                          task OPEN, one PENDING escrow, amount = price
//	FUN-5 escrow.createPaymentIntent           pi_…, clientSecret, amountCents = price; Stripe agrees
//	FUN-4 Stripe confirm + escrow.confirmFunding  escrow PENDING → FUNDED with the PI id
//	FUN-3 assignWorker on an unfunded probe task is refused (412); then
//	      getFeed + applyForTask + assignWorker  task OPEN → ACCEPTED, worker_id = hustler
//	FUN-6 upload (presigned PUT) + task.submitProof  proofs row SUBMITTED, task PROOF_SUBMITTED
//	FUN-7 reviewProof + task.complete          escrow FUNDED → RELEASED with STRIPE payout
//	                                           evidence, transfer metadata.escrow_id to the hustler's
//	                                           users.stripe_connect_id, one xp_ledger row
//
// SQL is used only to observe, in READ ONLY transactions on
// HUSTLEXP_DATABASE_URL. A row whose prerequisite failed reports "blocked by
// FUN-n"; each test may also be run alone (-run), running the earlier steps
// silently first.
//
// Live targets (HUSTLEXP_TARGET=staging|production) need HUSTLEXP_BASE_URL,
// HUSTLEXP_DATABASE_URL, STRIPE_SECRET_KEY (the deployment's Stripe
// account), FIREBASE_PROJECT_ID, FIREBASE_WEB_API_KEY and
// FIREBASE_CREDENTIALS_FILE. Everything created carries the run tag
// launchcheck-<runid> (e-mails launchcheck-<runid>-poster@…, task titles and
// idempotency keys, PaymentIntent metadata.launchcheck) and is undone after
// the last selected row: test users deleted through the Identity Toolkit admin API, PaymentIntents
// that did not succeed cancelled, tasks still OPEN cancelled. With a live
// Stripe key (sk_live_) only create-and-cancel runs: FUN-4 and every row after
// it report unverified unless HUSTLEXP_ALLOW_LIVE_PAYMENTS=1. A production
// deployment only assigns workers that pass its eligibility rules; provide a
// prepared account with HUSTLEXP_FUN_HUSTLER_EMAIL/_PASSWORD (and optionally
// the poster's) — those are signed in, never deleted.
package functional
